import { MemberBook } from "../core/ledger/book.ts";
import { notFound, DomainError } from "../core/errors.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import type { StoreRecord } from "../core/ports/records.ts";
import { saveBooks } from "./member-book.ts";
import { recheckTiers } from "./tiers.ts";
import { storeNow, type Services } from "./context.ts";

export interface DueWorkCounts {
  matured: number;
  released: number;
  expired: number;
  reminded: number;
}

const BATCH = 200;

/**
 * Writes down everything due up to `now` for one store: pending lots maturing, holds timing out,
 * lots expiring, expiry reminders. Idempotent: the ledger's state says what is still due, so a run
 * after downtime catches up and a second run finds nothing.
 */
export async function runDueWork(repos: Repositories, store: StoreRecord, now: Date): Promise<DueWorkCounts> {
  const counts: DueWorkCounts = { matured: 0, released: 0, expired: 0, reminded: 0 };
  for (;;) {
    const memberIds = await repos.ledger.dueMembers(store.id, now, BATCH);
    if (memberIds.length === 0) break;
    const loaded = await repos.members.lockBooks(store.id, memberIds);
    const books: MemberBook[] = [];
    for (const id of memberIds) {
      const l = loaded.get(id);
      if (!l) continue;
      const book = new MemberBook(l.balance, l.lots, l.holds, store.program.clawback);
      const work = book.settleDue(now);
      counts.matured += work.matured;
      counts.released += work.released;
      counts.expired += work.expired;
      books.push(book);
    }
    await saveBooks(repos, store.id, books, now);
    if (memberIds.length < BATCH) break;
  }
  counts.reminded = await sendExpiryReminders(repos, store, now);
  // Tier windows roll on with time too; the count is not part of the clock's `ran` contract.
  await recheckTiers(repos, store, now);
  return counts;
}

async function sendExpiryReminders(repos: Repositories, store: StoreRecord, now: Date): Promise<number> {
  const days = store.program.expiryReminderDays;
  if (days === null || !store.program.notifications.expiryReminder) return 0;
  let sent = 0;
  for (;;) {
    const lots = await repos.ledger.lotsToRemind(store.id, days, now, BATCH);
    if (lots.length === 0) break;
    for (const lot of lots) {
      await repos.outbox.add(store.id, "member.points_expiring", lot.memberId, {
        memberId: lot.memberId, lotId: lot.id, points: lot.remaining, expiresAt: lot.expiresAt,
      });
    }
    await repos.ledger.markReminded(store.id, lots.map((l) => l.id), now);
    sent += lots.length;
    if (lots.length < BATCH) break;
  }
  return sent;
}

/** The scheduler's tick: due work for every store on wall time, one transaction per store. */
export async function runScheduledWork(services: Services): Promise<DueWorkCounts> {
  const total: DueWorkCounts = { matured: 0, released: 0, expired: 0, reminded: 0 };
  const stores = await services.tx.run((repos) => repos.stores.list());
  for (const s of stores.filter((x) => !x.sandbox)) {
    const counts = await services.tx.run(async (repos) => runDueWork(repos, s, storeNow(s, services.clock)));
    for (const k of Object.keys(total) as Array<keyof DueWorkCounts>) total[k] += counts[k];
  }
  return total;
}

/**
 * Moves a sandbox store's clock forward and runs what fell due on the way. Each member's work is
 * applied in time order (a hold that timed out before a lot expired returns its points first).
 */
export async function advanceClock(services: Services, storeId: string, to: Date): Promise<{ now: Date; ran: DueWorkCounts }> {
  return services.tx.run((repos) => advanceClockIn(repos, services, storeId, to));
}

/** `advanceClock` inside the caller's transaction (the HTTP route's idempotent write). */
export async function advanceClockIn(repos: Repositories, services: Services, storeId: string, to: Date): Promise<{ now: Date; ran: DueWorkCounts }> {
  const store = await repos.stores.lock(storeId);
  if (!store) throw notFound("store");
  if (!store.sandbox) throw new DomainError("not_sandbox", "only sandbox stores have a clock to advance");
  const current = storeNow(store, services.clock);
  if (to.getTime() < current.getTime()) {
    throw new DomainError("clock_backwards", `the clock is at ${current.toISOString()} and never moves back`, {
      errors: [{ path: "to", message: "must not be before the store's current time" }],
    });
  }
  const ran = await runDueWork(repos, store, to);
  await repos.stores.update({ ...store, clockNow: to });
  return { now: to, ran };
}
