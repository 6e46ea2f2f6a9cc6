import type { Entry } from "../ledger/types.ts";
import { outgoing, type OutgoingMessage } from "./events.ts";

export interface BookChanges {
  entries: readonly Entry[];
  figures: ReadonlyArray<{ pending: number; held: number }>;
  before: { balance: number; pending: number; held: number };
}

/** Channels an adjustment asked for, by entry id (they override the program's switches). */
export type NotifyChoices = ReadonlyMap<string, { email?: boolean; sms?: boolean }>;

/**
 * One `member.points_changed` per entry that moved the member's balance, pending or held points,
 * in the order the entries were written: derived from the ledger's own changes, so no movement
 * (award, maturing, hold, release, capture, reversal, expiry, adjustment, return) can go unheard.
 */
export function pointsChangedMessages(changes: BookChanges, notify: NotifyChoices = new Map()): OutgoingMessage[] {
  const messages: OutgoingMessage[] = [];
  let previous = changes.before;
  changes.entries.forEach((entry, i) => {
    const figures = changes.figures[i]!;
    const now = { balance: entry.balanceAfter, pending: figures.pending, held: figures.held };
    if (now.balance !== previous.balance || now.pending !== previous.pending || now.held !== previous.held) {
      const choice = notify.get(entry.id);
      messages.push(outgoing("member.points_changed", entry.memberId, {
        entryId: entry.id,
        entryType: entry.type,
        points: entry.points,
        ...now,
        ...(entry.reason !== null ? { reason: entry.reason } : {}),
        source: { type: entry.source.type, ref: entry.source.ref },
        ...(choice ? { notify: choice } : {}),
      }));
    }
    previous = now;
  });
  return messages;
}
