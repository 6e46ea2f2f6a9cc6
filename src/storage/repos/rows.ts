import type { Entry, EntryType, Hold, HoldStatus, Lot, LotStatus, MemberBalance, SourceType } from "../../core/ledger/types.ts";
import type { MemberRecord, RedemptionRecord } from "../../core/ports/records.ts";
import type { Cart } from "../../core/redemption/quote.ts";

/** Row shapes as the drivers return them, and their mapping to core records. */
export interface MemberRow {
  member_id: string;
  email: string | null;
  phone: string | null;
  birthday: string | null;
  tier: string | null;
  tags: string[];
  is_member: boolean;
  language: string | null;
  balance: number;
  pending: number;
  held: number;
  debt: number;
  seq: number;
  created_at: Date;
  updated_at: Date;
}

export const toMember = (r: MemberRow): MemberRecord => ({
  memberId: r.member_id,
  email: r.email,
  phone: r.phone,
  birthday: r.birthday,
  tier: r.tier,
  tags: r.tags,
  isMember: r.is_member,
  language: r.language,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toBalance = (r: MemberRow): MemberBalance => ({
  memberId: r.member_id,
  balance: r.balance,
  pending: r.pending,
  held: r.held,
  debt: r.debt,
  seq: r.seq,
});

export interface LotRow {
  id: string;
  member_id: string;
  points: number;
  remaining: number;
  status: LotStatus;
  earned_at: Date;
  available_at: Date;
  expires_at: Date | null;
  source_type: SourceType;
  source_ref: string | null;
}

export const toLot = (r: LotRow): Lot => ({
  id: r.id,
  memberId: r.member_id,
  points: r.points,
  remaining: r.remaining,
  status: r.status,
  earnedAt: r.earned_at,
  availableAt: r.available_at,
  expiresAt: r.expires_at,
  source: { type: r.source_type, ref: r.source_ref },
});

export interface HoldRow {
  id: string;
  member_id: string;
  points: number;
  status: HoldStatus;
  expires_at: Date;
  entry_id: string;
  source_type: SourceType;
  source_ref: string | null;
  allocations: Array<{ lotId: string; points: number }>;
}

export const toHold = (r: HoldRow): Hold => ({
  id: r.id,
  memberId: r.member_id,
  points: r.points,
  status: r.status,
  expiresAt: r.expires_at,
  entryId: r.entry_id,
  source: { type: r.source_type, ref: r.source_ref },
  allocations: r.allocations,
});

export interface EntryRow {
  id: string;
  member_id: string;
  seq: number;
  type: EntryType;
  points: number;
  delta: number;
  balance_after: number;
  at: Date;
  actor: string;
  reason: string | null;
  source_type: SourceType;
  source_ref: string | null;
  lot_id: string | null;
  hold_id: string | null;
  explanation: Record<string, unknown> | null;
}

export const toEntry = (r: EntryRow): Entry => ({
  id: r.id,
  memberId: r.member_id,
  seq: r.seq,
  type: r.type,
  points: r.points,
  delta: r.delta,
  balanceAfter: r.balance_after,
  at: r.at,
  actor: r.actor,
  reason: r.reason,
  source: { type: r.source_type, ref: r.source_ref },
  lotId: r.lot_id,
  holdId: r.hold_id,
  explanation: r.explanation,
});

/** A row read as JSON (to_jsonb): its timestamps arrive as text. */
export type Json = Record<string, unknown>;

/**
 * A row read as JSON, typed as the driver would have returned it: the named timestamp fields are
 * turned back into Dates (null stays null); numbers and text need nothing.
 */
export function fromJsonRow<T extends object>(row: Json, dateFields: ReadonlyArray<keyof T & string>): T {
  const out: Json = { ...row };
  for (const f of dateFields) if (typeof out[f] === "string") out[f] = new Date(out[f] as string);
  return out as T;
}

export interface RedemptionRow {
  id: string; member_id: string; method_id: string; type: string; status: RedemptionRecord["status"]; points: number;
  discount: number | null; order_id: string | null; hold_id: string | null; entitlement_id: string | null; code: string | null; returned: number;
  channel: string | null; cart: Cart | null; created_at: Date; updated_at: Date;
}
export const toRedemption = (r: RedemptionRow): RedemptionRecord => ({
  id: r.id, memberId: r.member_id, methodId: r.method_id, type: r.type, status: r.status, points: r.points, discount: r.discount,
  orderId: r.order_id, holdId: r.hold_id, entitlementId: r.entitlement_id, code: r.code, returned: r.returned,
  channel: r.channel, cart: r.cart, createdAt: r.created_at, updatedAt: r.updated_at,
});
