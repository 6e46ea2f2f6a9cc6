import type { Entry, Hold, Lot, MemberBalance } from "../../core/ledger/types.ts";
import type { MemberRecord, RedemptionRecord, StoreRecord } from "../../core/ports/records.ts";
import { withProgramDefaults } from "../../core/program/settings.ts";
import type { EntryRow, HoldRow, LotRow, MemberRow, RedemptionRow, StoreRow } from "./state.ts";
import { freeze, fromJsonb } from "./values.ts";

/** Stored rows to the core's records, the same shapes the SQL adapter maps its rows to: new objects, jsonb copied, Dates shared (values.ts); a store's record is the exception (toStore). */

/**
 * A store's record, made once per version of its row and shared, frozen through and through: every
 * command reads its store, often more than once (a replay, every input and every day), and copying
 * its program each time was a few percent of a replay. Stored rows are replaced, never changed
 * (transaction.ts), so a row is one version; callers change a record by spreading it, never in
 * place, and a frozen one makes any that tried fail loudly.
 */
export const toStore = (r: StoreRow): StoreRecord => {
  let record = storeRecords.get(r);
  if (!record) {
    record = freeze({
      id: r.id,
      name: r.name,
      currency: r.currency,
      timezone: r.timezone,
      sandbox: r.sandbox,
      clockNow: r.clockNow,
      program: withProgramDefaults(fromJsonb(r.program)),
      createdAt: r.createdAt,
      programVersion: r.programVersion,
    });
    storeRecords.set(r, record);
  }
  return record;
};

const storeRecords = new WeakMap<StoreRow, StoreRecord>();

export const toMember = (r: MemberRow): MemberRecord => ({
  memberId: r.memberId,
  email: r.email,
  phone: r.phone,
  birthday: r.birthday,
  tier: r.tier,
  // Handed out as stored (frozen when normalised): read with every book, changed by no caller.
  tags: r.tags,
  isMember: r.isMember,
  language: r.language,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const toBalance = (r: MemberRow): MemberBalance => ({
  memberId: r.memberId,
  balance: r.balance,
  pending: r.pending,
  held: r.held,
  debt: r.debt,
  seq: r.seq,
});

export const toLot = (r: LotRow): Lot => ({
  id: r.id,
  memberId: r.memberId,
  points: r.points,
  remaining: r.remaining,
  status: r.status,
  earnedAt: r.earnedAt,
  availableAt: r.availableAt,
  expiresAt: r.expiresAt,
  source: { type: r.sourceType, ref: r.sourceRef },
});

export const toHold = (r: HoldRow): Hold => ({
  id: r.id,
  memberId: r.memberId,
  points: r.points,
  status: r.status,
  expiresAt: r.expiresAt,
  entryId: r.entryId,
  source: { type: r.sourceType, ref: r.sourceRef },
  // As stored, like a member's tags: a book copies a hold's allocations before it changes any.
  allocations: r.allocations,
});

export const toEntry = (r: EntryRow): Entry => ({
  id: r.id,
  memberId: r.memberId,
  seq: r.seq,
  type: r.type,
  points: r.points,
  delta: r.delta,
  balanceAfter: r.balanceAfter,
  at: r.at,
  actor: r.actor,
  reason: r.reason,
  source: { type: r.sourceType, ref: r.sourceRef },
  lotId: r.lotId,
  holdId: r.holdId,
  explanation: fromJsonb(r.explanation),
});

export const toRedemption = (r: RedemptionRow): RedemptionRecord => ({
  id: r.id, memberId: r.memberId, methodId: r.methodId, type: r.type, status: r.status, points: r.points, discount: r.discount,
  orderId: r.orderId, holdId: r.holdId, entitlementId: r.entitlementId, code: r.code, returned: r.returned,
  channel: r.channel, cart: fromJsonb(r.cart), createdAt: r.createdAt, updatedAt: r.updatedAt,
});
