import { MemberBook } from "../core/ledger/book.ts";
import type { Entry } from "../core/ledger/types.ts";
import { notFound } from "../core/errors.ts";
import type { MemberAttributes, MemberRecord, Page } from "../core/ports/records.ts";
import { requireStore, storeNow, type Actor, type Services } from "./context.ts";
import { requalify } from "./tiers.ts";
import { settledBook } from "./member-book.ts";

export interface MemberView extends MemberRecord {
  /** Spendable now; negative while the member owes points (debt). */
  balance: number;
  pending: number;
  held: number;
  debt: number;
  expiring: Array<{ expiresAt: Date; points: number }>;
}

export async function upsertMember(services: Services, storeId: string, memberId: string, attrs: MemberAttributes, actor: Actor): Promise<MemberView> {
  await services.tx.run(async (repos) => {
    const store = await requireStore(repos, storeId);
    const now = storeNow(store, services.clock);
    const { tier, ...rest } = attrs;
    await repos.members.upsert(storeId, memberId, rest, now);
    // A tier set by the merchant is the member's floor; qualification may lift them above it.
    if (tier !== undefined) await requalify(repos, store, [memberId], now, { manualTier: tier, actor });
  });
  return getMember(services, storeId, memberId);
}

/**
 * The member as of the store's now. Due work (maturing, expiry, timed-out holds) is applied in
 * memory, so the figures are exact even before the scheduler has written it down.
 */
export async function getMember(services: Services, storeId: string, memberId: string): Promise<MemberView> {
  // One statement, outside a transaction: a read needs no BEGIN and COMMIT of its own.
  return (services.tx.read ?? services.tx.run)(async (repos) => {
    const { store, book: loaded } = await repos.members.readStoreAndBook(storeId, memberId);
    if (!store) throw notFound("store");
    if (!loaded) throw notFound("member");
    const now = storeNow(store, services.clock);
    const book = settledBook(loaded, store, now);
    const state = book.balance;
    return { ...loaded.member, balance: state.balance, pending: state.pending, held: state.held, debt: state.debt, expiring: expiringSchedule(book, now) };
  });
}

/** Points grouped by the instant they expire, soonest first. */
function expiringSchedule(book: MemberBook, now: Date): Array<{ expiresAt: Date; points: number }> {
  const byInstant = new Map<number, number>();
  for (const lot of book.spendable(now)) {
    if (lot.expiresAt === null) continue;
    const t = lot.expiresAt.getTime();
    byInstant.set(t, (byInstant.get(t) ?? 0) + lot.remaining);
  }
  return [...byInstant.entries()].sort((a, b) => a[0] - b[0]).map(([t, points]) => ({ expiresAt: new Date(t), points }));
}

export async function memberActivity(
  services: Services,
  storeId: string,
  memberId: string,
  page: { limit: number; cursor: string | null },
): Promise<Page<Entry>> {
  return services.tx.run(async (repos) => {
    await requireStore(repos, storeId);
    if (!(await repos.members.get(storeId, memberId))) throw notFound("member");
    const cursor = page.cursor === null ? null : Number(page.cursor);
    return repos.ledger.activity(storeId, memberId, page.limit, Number.isSafeInteger(cursor) ? cursor : null);
  });
}
