/** The ledger's records. Points are integers; every balance is derivable from lots and entries. */

export type LotStatus = "pending" | "available";
export type SourceType = "event" | "order" | "adjustment" | "refund_return" | "import" | "redemption" | "system";

export interface Source {
  type: SourceType;
  ref: string | null;
}

export interface Lot {
  id: string;
  memberId: string;
  points: number;
  /** Points still in the lot; held points are already taken out (reserved). */
  remaining: number;
  status: LotStatus;
  earnedAt: Date;
  availableAt: Date;
  expiresAt: Date | null;
  source: Source;
}

export type EntryType =
  | "earn"
  | "pending"
  | "mature"
  | "redeem"
  | "hold"
  | "release"
  | "capture"
  | "expire"
  | "reverse"
  | "adjust"
  | "import"
  | "write_off"
  | "return";

export interface Entry {
  id: string;
  memberId: string;
  /** Per-member sequence: the order entries happened in. */
  seq: number;
  type: EntryType;
  /** The amount the entry is about, signed as the member sees it (pending +100, redeem -50). */
  points: number;
  /** Change to the spendable balance; the sum over a member's entries is the balance. */
  delta: number;
  balanceAfter: number;
  at: Date;
  actor: string;
  reason: string | null;
  source: Source;
  lotId: string | null;
  holdId: string | null;
  explanation: Record<string, unknown> | null;
}

/** Which lot a movement drew on (positive) or returned to (negative), so reversals are exact. */
export interface Allocation {
  entryId: string;
  lotId: string;
  points: number;
}

export interface MemberBalance {
  memberId: string;
  /** Spendable now: remaining of available, unexpired lots, minus debt. May be negative (debt). */
  balance: number;
  pending: number;
  held: number;
  debt: number;
  /** Last entry sequence number written for this member. */
  seq: number;
}

export type HoldStatus = "held" | "captured" | "released";

export interface Hold {
  id: string;
  memberId: string;
  points: number;
  status: HoldStatus;
  expiresAt: Date;
  /** The entry that reserved the points; its allocations say which lots to return them to. */
  entryId: string;
  /** What placed the hold (a redemption); its release and capture point back to it. */
  source: Source;
  allocations: Array<{ lotId: string; points: number }>;
}

export type ClawbackPolicy = "allow_negative" | "floor_zero";
