import { computeExpiresAt } from "../core/expiry/validity.ts";
import type { Entry } from "../core/ledger/types.ts";
import { DomainError } from "../core/errors.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import type { StoreRecord } from "../core/ports/records.ts";
import { MemberBook } from "../core/ledger/book.ts";
import { requireStore, storeNow, type Actor, type Services } from "./context.ts";
import { saveBooks, settledBook, withMemberBook } from "./member-book.ts";

export interface AdjustmentInput {
  points: number;
  reason: string;
  notify?: { email?: boolean; sms?: boolean };
}

/** A manual add (credit with the program's validity) or deduct (never below zero). */
function adjust(book: MemberBook, store: StoreRecord, input: AdjustmentInput, actor: Actor, now: Date, source: string | null): Entry {
  const base = { at: now, actor: actor.id, reason: input.reason, source: { type: "adjustment" as const, ref: source } };
  if (input.points > 0) {
    const expiresAt = computeExpiresAt(store.program.validity, { earnedAt: now, availableAt: now }, store.timezone);
    return book.credit({ ...base, type: "adjust", points: input.points, earnedAt: now, availableAt: now, expiresAt }).entry;
  }
  const result = book.debit({ ...base, type: "adjust", points: -input.points });
  if (!result.ok) {
    throw new DomainError("insufficient_points", `the member has ${result.available} points; cannot deduct ${-input.points}`, {
      available: result.available,
    });
  }
  return result.entry;
}

export async function adjustMember(
  repos: Repositories,
  services: Services,
  storeId: string,
  memberId: string,
  input: AdjustmentInput,
  actor: Actor,
): Promise<Entry> {
  const store = await requireStore(repos, storeId);
  const now = storeNow(store, services.clock);
  // The adjustment's own choice of channels travels with its `member.points_changed`; whether a
  // message goes out (increases only, the program's switches, the member's address) is decided
  // where messages are made.
  return withMemberBook(repos, store, memberId, now, (book) => adjust(book, store, input, actor, now, null), {
    notify: (entry) => new Map(input.notify ? [[entry.id, input.notify]] : []),
  });
}

/**
 * Adds the same points to many members in one transaction: all or nothing. Members are locked
 * in sorted order, so a bulk add never deadlocks with single writes.
 */
export async function bulkAdjust(
  repos: Repositories,
  services: Services,
  storeId: string,
  input: { memberIds: string[]; points: number; reason: string },
  actor: Actor,
): Promise<{ count: number }> {
  const store = await requireStore(repos, storeId);
  const now = storeNow(store, services.clock);
  const ids = [...new Set(input.memberIds)];
  const loaded = await repos.members.createAndLockBooks(storeId, ids, now);
  const books = ids.map((id) => {
    const book = settledBook(loaded.get(id)!, store, now);
    adjust(book, store, { points: input.points, reason: input.reason }, actor, now, "bulk");
    return book;
  });
  await saveBooks(repos, storeId, books, now);
  return { count: ids.length };
}
