import { z } from "zod";
import type { EntryType, SourceType } from "../../core/ledger/types.ts";
import type { Channel } from "../../core/notifications/decide.ts";
import type { NotificationStatus } from "../../core/ports/notifications.ts";
import { SCENARIOS } from "../../core/notifications/scenarios.ts";
import { enumOf, instantOut, named, page } from "./common.ts";

export const memberView = named("Member", z.object({
  memberId: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  birthday: z.string().nullable().describe("YYYY-MM-DD"),
  tier: z.string().nullable(),
  tags: z.array(z.string()),
  isMember: z.boolean(),
  language: z.string().nullable(),
  createdAt: instantOut,
  updatedAt: instantOut,
  balance: z.number().int().describe("Spendable now; negative while the member owes points"),
  pending: z.number().int().describe("Earned, not yet available"),
  held: z.number().int().describe("Reserved by held redemptions"),
  debt: z.number().int(),
  expiring: z.array(z.object({ expiresAt: instantOut, points: z.number().int() })).describe("Points by the instant they expire, soonest first"),
}));

export const entryType = enumOf<EntryType>({
  earn: true, pending: true, mature: true, redeem: true, hold: true, release: true, capture: true, expire: true,
  reverse: true, adjust: true, import: true, write_off: true, return: true,
});
export const sourceType = enumOf<SourceType>({ event: true, order: true, adjustment: true, refund_return: true, import: true, redemption: true, system: true });

export const ledgerEntryView = named("LedgerEntry", z.object({
  id: z.string(),
  type: entryType,
  points: z.number().int().describe("Signed as the member sees it: pending +100, redeem -50"),
  balanceAfter: z.number().int(),
  at: instantOut,
  reason: z.string().optional(),
  explanation: z.record(z.string(), z.unknown()).optional().describe("Why: the rule, its inputs and the arithmetic"),
  actor: z.string(),
  source: z.object({ type: sourceType, ref: z.string().nullable() }),
  lotId: z.string().optional(),
}));

export const ledgerEntryPage = page(ledgerEntryView);

export const notificationView = named("Notification", z.object({
  id: z.string(),
  scenario: z.enum(SCENARIOS),
  channel: enumOf<Channel>({ email: true, sms: true }),
  to: z.string(),
  status: enumOf<NotificationStatus>({ pending: true, sent: true, failed: true, skipped: true }),
  subject: z.string().optional(),
  at: instantOut.describe("When it was sent, else when it was made"),
  error: z.string().optional().describe("Why it failed or was skipped"),
}));

export const notificationPage = page(notificationView);
