import { MemberBook } from "../core/ledger/book.ts";
import { notFound } from "../core/errors.ts";
import { pointsChangedMessages, type NotifyChoices } from "../core/outgoing/points-changed.ts";
import { redemptionMessage } from "../core/outgoing/redemption.ts";
import type { LoadedBook, Repositories, StampedMessage } from "../core/ports/repositories.ts";
import type { StoreRecord } from "../core/ports/records.ts";

/**
 * A loaded book brought up to `now` (pending lots matured, timed-out holds released, lots expired),
 * in memory: figures read or changes made from it are as of now, even before due work has run.
 */
export function settledBook(loaded: LoadedBook, store: StoreRecord, now: Date): MemberBook {
  const book = MemberBook.adopting(loaded.balance, loaded.lots, loaded.holds, store.program.clawback);
  book.settleDue(now);
  return book;
}

/** `settledBook` for each loaded member. */
export function settledBooks(loaded: ReadonlyMap<string, LoadedBook>, store: StoreRecord, now: Date): Map<string, MemberBook> {
  return new Map([...loaded].map(([id, l]) => [id, settledBook(l, store, now)]));
}

/**
 * Opens one member's ledger under its row lock, brings it up to `now` (matures, timed-out holds,
 * expiries), lets `fn` change it, and saves every change in the caller's transaction.
 */
export async function withMemberBook<T>(
  repos: Repositories,
  store: StoreRecord,
  memberId: string,
  now: Date,
  fn: (book: MemberBook) => T | Promise<T>,
  options: { create?: boolean; extraLotIds?: readonly string[]; notify?: (result: T) => NotifyChoices } = {},
): Promise<T> {
  const loaded = (options.create ?? true
    ? await repos.members.createAndLockBooks(store.id, [memberId], now, options.extraLotIds)
    : await repos.members.lockBooks(store.id, [memberId], options.extraLotIds)).get(memberId);
  if (!loaded) throw notFound("member");
  const book = settledBook(loaded, store, now);
  const result = await fn(book);
  await saveBooks(repos, store.id, [book], now, options.notify?.(result));
  return result;
}

/**
 * Saves books' changes with one `member.points_changed` per entry that moved points; a hold they
 * released (timed out while settling, or released on purpose) also ends the redemption that placed
 * it, announced as `redemption.released`.
 */
export async function saveBooks(repos: Repositories, storeId: string, books: readonly MemberBook[], now: Date, notify?: NotifyChoices): Promise<void> {
  await repos.ledger.save(storeId, books);
  const messages: StampedMessage[] = [];
  const released: string[] = [];
  for (const book of books) {
    const changes = book.changes();
    if (!repos.outbox.discards) {
      const byId = new Map(changes.entries.map((e) => [e.id, e.at]));
      for (const m of pointsChangedMessages(changes, notify)) {
        messages.push({ ...m, occurredAt: byId.get((m.data as { entryId: string }).entryId) ?? now });
      }
    }
    for (const h of changes.changedHolds) if (h.status === "released") released.push(h.id);
  }
  for (const r of released.length > 0 ? await repos.redemptions.redemptionsByHold(storeId, released) : []) {
    if (r.status !== "held") continue;
    const ended = { ...r, status: "released" as const, updatedAt: now };
    await repos.redemptions.updateRedemption(storeId, ended);
    messages.push({ ...redemptionMessage("redemption.released", ended), occurredAt: now });
  }
  await repos.outbox.add(storeId, messages);
}
