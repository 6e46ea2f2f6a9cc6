import type { Channel } from "../notifications/decide.ts";
import type { Scenario } from "../notifications/scenarios.ts";
import type { Page } from "./records.ts";

/** SPEC §3 Member notifications: what becomes of one message. */
export type NotificationStatus = "pending" | "sent" | "failed" | "skipped";

/** Where a member can be reached, and in which language. */
export interface NotificationRecipient {
  email: string | null;
  phone: string | null;
  language: string | null;
}

/** A message as the fan-out makes it: its text rendered, to be sent later or recorded as skipped. */
export interface NewNotification {
  id: string;
  memberId: string;
  eventId: string;
  scenario: Scenario;
  channel: Channel;
  to: string | null;
  status: "pending" | "skipped";
  reason: string | null;
  subject: string;
  text: string;
  html: string;
  language: string;
  createdAt: Date;
}

export interface NotificationRecord extends Omit<NewNotification, "status"> {
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date | null;
  sentAt: Date | null;
}

/** A due message claimed by one worker for the length of its lease. */
export interface ClaimedNotification {
  storeId: string;
  id: string;
  channel: Channel;
  to: string;
  subject: string;
  text: string;
  html: string;
  attempts: number;
}

export interface NotificationRepository {
  /** The members' addresses and languages, in one statement; members not found are left out. */
  recipients(storeId: string, memberIds: readonly string[]): Promise<Map<string, NotificationRecipient>>;
  /** Stores messages; one already made for the same event and channel is kept as it is. */
  insert(storeId: string, rows: readonly NewNotification[]): Promise<void>;
  /**
   * Up to `limit` pending messages due by `now`, across stores, leased until `leaseUntil`: rows
   * another worker holds (locked or leased) are skipped, never waited for.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedNotification[]>;
  markSent(storeId: string, id: string, at: Date): Promise<void>;
  /** Counts a failed attempt: tried again at `retryAt`, or `failed` for good when it is null. */
  markFailed(storeId: string, id: string, error: string, retryAt: Date | null): Promise<void>;
  /** A member's messages, newest first; the cursor is the last id seen. */
  list(storeId: string, memberId: string, limit: number, cursor: string | null): Promise<Page<NotificationRecord>>;
}
