import { z } from "zod";

/**
 * Outgoing events (SPEC §3 "Outgoing events"): what a member, a merchant's system or a message
 * should hear about, written in the same transaction as the change. One schema per type; `data`
 * is exactly what the type promises, and the schemas are what tests and docs check payloads by.
 */
const source = z.object({ type: z.string(), ref: z.string().nullable() }).strict();

export const outgoingData = {
  /** Every ledger entry that changes balance, pending or held. */
  "member.points_changed": z.object({
    entryId: z.string(),
    entryType: z.string(),
    points: z.number().int(),
    balance: z.number().int(),
    pending: z.number().int(),
    held: z.number().int(),
    reason: z.string().optional(),
    source,
    /** An adjustment's own choice of channels, overriding the program's switches (SPEC §3 Member notifications). */
    notify: z.object({ email: z.boolean().optional(), sms: z.boolean().optional() }).strict().optional(),
  }).strict(),
  /** The reminder `expiryReminderDays` before a lot expires; once per lot. */
  "member.points_expiring": z.object({
    lotId: z.string(),
    points: z.number().int(),
    expiresAt: z.string(),
    balance: z.number().int(),
  }).strict(),
  "member.tier_changed": z.object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    by: z.string(),
  }).strict(),
  "redemption.held": redemptionData(),
  "redemption.completed": redemptionData(),
  "redemption.released": redemptionData(),
  /** After each order change that moved points. */
  "order.points_updated": z.object({
    orderId: z.string(),
    earned: z.number().int(),
    pending: z.number().int(),
    reversed: z.number().int(),
    redeemed: z.number().int(),
  }).strict(),
} as const;

function redemptionData() {
  return z.object({
    redemptionId: z.string(),
    methodId: z.string(),
    type: z.string(),
    points: z.number().int(),
    discount: z.number().int().nullable().optional(),
    code: z.string().nullable().optional(),
    orderId: z.string().nullable().optional(),
  }).strict();
}

export type OutgoingType = keyof typeof outgoingData;
export const OUTGOING_TYPES = Object.keys(outgoingData) as OutgoingType[];

export type OutgoingData<T extends OutgoingType> = z.input<(typeof outgoingData)[T]>;

/** An outgoing event as a command produces it, before it is stored (the store gives it id and time). */
export type OutgoingMessage = { [T in OutgoingType]: { type: T; memberId: string | null; data: OutgoingData<T> } }[OutgoingType];

/** An outgoing event as stored and sent: to webhooks, to the event feed, and to member notifications. */
export interface OutgoingEvent {
  id: string;
  type: OutgoingType;
  storeId: string;
  memberId: string | null;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** Builds a message of one type, checked by the compiler against that type's data. */
export function outgoing<T extends OutgoingType>(type: T, memberId: string | null, data: OutgoingData<T>): OutgoingMessage {
  return { type, memberId, data } as OutgoingMessage;
}
