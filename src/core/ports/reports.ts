import type { Page } from "./records.ts";

/** A member as the back office lists them: who, and their figures. */
export interface MemberSummary {
  memberId: string;
  email: string | null;
  phone: string | null;
  tier: string | null;
  isMember: boolean;
  balance: number;
  pending: number;
  held: number;
  createdAt: Date;
}

/**
 * Points that moved in one month of the store's calendar. `outstanding` is what members hold at
 * the month's end: issued less everything that left, pending and held points included.
 */
export interface MonthFlow {
  /** `YYYY-MM` in the store's time zone. */
  month: string;
  issued: number;
  redeemed: number;
  expired: number;
  /** Reversed by refunds and cancellations, and deducted by hand. */
  reversed: number;
  outstanding: number;
}

/** Read-only aggregates for the back office, computed where the rows are (SQL), never in the browser. */
export interface ReportRepository {
  /** Members whose id starts with `query`, or whose email or phone does (case-insensitive email); by id. */
  searchMembers(storeId: string, query: string, limit: number, cursor: string | null): Promise<Page<MemberSummary>>;
  memberCount(storeId: string): Promise<number>;
  /** Every month with movement, oldest first, months cut in `timeZone`. */
  monthlyFlows(storeId: string, timeZone: string): Promise<MonthFlow[]>;
}
