import { MemberBook } from "../core/ledger/book.ts";
import { notFound, DomainError } from "../core/errors.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import type { StoreRecord } from "../core/ports/records.ts";
import { saveBooks } from "./member-book.ts";
import { tierRecheck } from "./tiers.ts";
import { storeNow, type Services } from "./context.ts";
import { outgoing } from "../core/outgoing/events.ts";

export interface DueWorkCounts {
  matured: number;
  released: number;
  expired: number;
  reminded: number;
}

export const noDueWork = (): DueWorkCounts => ({ matured: 0, released: 0, expired: 0, reminded: 0 });

/** At most this many members (or lots) per chunk, so no transaction holds most of a store's locks. */
export const CHUNK = 200;

/**
 * One bounded piece of a store's due work, done in the caller's transaction. `size` says how many
 * members or lots it touched; `apply` records its progress and is called only once that
 * transaction has committed, so a transaction retried or rolled back repeats the same chunk.
 */
export interface Chunk {
  done: boolean;
  size: number;
  apply(): void;
}

/** Runs the next chunk of one kind of due work; call again until a chunk says `done`. */
export type DueStep = (repos: Repositories) => Promise<Chunk>;

/**
 * Everything due up to `now` for one store, in order: pending lots maturing, holds timing out and
 * lots expiring (per member, in time order), then expiry reminders, then the daily tier re-check.
 * Progress adds up in `counts`. Idempotent: the ledger's state says what is still due, so a run
 * after downtime catches up and a second run finds nothing.
 */
export function dueWorkSteps(store: StoreRecord, now: Date, counts: DueWorkCounts, limit = CHUNK): DueStep[] {
  return [settleStep(store, now, counts, limit), remindStep(store, now, counts, limit), tierRecheck(store, now, limit)];
}

function settleStep(store: StoreRecord, now: Date, counts: DueWorkCounts, limit: number): DueStep {
  // Members settled in this run: settling takes them out of what is due, so each query finds new
  // ones. Should a member's work stay due anyway, the run ends instead of looping on it.
  const settled = new Set<string>();
  return async (repos) => {
    const due = await repos.ledger.dueMembers(store.id, now, limit);
    const memberIds = due.filter((id) => !settled.has(id));
    const work = noDueWork();
    if (memberIds.length > 0) {
      const loaded = await repos.members.lockBooks(store.id, memberIds);
      const books: MemberBook[] = [];
      for (const id of memberIds) {
        const l = loaded.get(id);
        if (!l) continue;
        const book = MemberBook.adopting(l.balance, l.lots, l.holds, store.program.clawback);
        const w = book.settleDue(now);
        work.matured += w.matured;
        work.released += w.released;
        work.expired += w.expired;
        books.push(book);
      }
      await saveBooks(repos, store.id, books, now);
    }
    return {
      // Not `due.length < limit`: the limit is on lots and holds, and a chunk's lots may be a few
      // members' (one member's dozen lots due first), so fewer members than the limit does not
      // mean all are found. The run ends when no member is left to settle.
      done: memberIds.length === 0,
      size: memberIds.length,
      apply: () => {
        for (const id of memberIds) settled.add(id);
        counts.matured += work.matured;
        counts.released += work.released;
        counts.expired += work.expired;
      },
    };
  };
}

function remindStep(store: StoreRecord, now: Date, counts: DueWorkCounts, limit: number): DueStep {
  return async (repos) => {
    const days = store.program.expiryReminderDays;
    if (days === null || !store.program.notifications.expiryReminder) return { done: true, size: 0, apply: () => undefined };
    // Claimed and announced in one transaction: a lot another run claimed is not ours to announce.
    const lots = await repos.ledger.claimReminders(store.id, days, now, limit);
    await repos.outbox.add(store.id, lots.map(({ lot, balance }) => ({
      ...outgoing("member.points_expiring", lot.memberId, { lotId: lot.id, points: lot.remaining, expiresAt: lot.expiresAt!.toISOString(), balance }),
      occurredAt: now,
    })));
    return { done: lots.length < limit, size: lots.length, apply: () => void (counts.reminded += lots.length) };
  };
}

/** All of a store's due work up to `now` in the caller's transaction (the sandbox clock). */
export async function runDueWork(repos: Repositories, store: StoreRecord, now: Date): Promise<DueWorkCounts> {
  const counts = noDueWork();
  for (const step of dueWorkSteps(store, now, counts)) {
    for (;;) {
      const chunk = await step(repos);
      chunk.apply();
      if (chunk.done) break;
    }
  }
  return counts;
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
