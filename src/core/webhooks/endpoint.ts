import { z } from "zod";
import { OUTGOING_TYPES, type OutgoingType } from "../outgoing/events.ts";

/**
 * A webhook endpoint as a merchant declares it (SPEC §3 Webhooks). This checks the shape only;
 * whether the host resolves to an allowed address is the address guard's job, at creation and
 * again at every delivery.
 */
export const WILDCARD = "*";
export const MAX_URL_LENGTH = 2048;
export const MAX_DESCRIPTION_LENGTH = 500;

/** Either every event type, or a list of known types. */
export type EndpointEvents = readonly ["*"] | readonly OutgoingType[];

// The URL parser silently drops tabs and newlines and trims spaces, so they are refused on the raw text.
const UNSAFE_CHARS = /[\s\u0000-\u001f\u007f]/;

export const webhookUrl = z
  .string()
  .min(1)
  .max(MAX_URL_LENGTH)
  .superRefine((raw, ctx) => {
    const problem = urlProblem(raw);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

function urlProblem(raw: string): string | null {
  if (UNSAFE_CHARS.test(raw)) return "must not contain spaces or control characters";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a valid URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must start with https:// or http://";
  if (url.username !== "" || url.password !== "") return "must not contain credentials (user:password@)";
  if (url.hostname === "") return "must name a host";
  if (url.hash !== "") return "must not contain a fragment (#…)";
  return null;
}

const knownTypes = z.enum(OUTGOING_TYPES as [OutgoingType, ...OutgoingType[]]);

export const endpointEvents = z.union(
  [
    z.tuple([z.literal(WILDCARD)]),
    z
      .array(knownTypes)
      .min(1, { message: 'must list at least one event type, or be ["*"]' })
      .max(OUTGOING_TYPES.length)
      .refine((types) => new Set(types).size === types.length, { message: "lists an event type twice" }),
  ],
  { error: (issue) => eventsMessage(issue.input) },
);

function eventsMessage(input: unknown): string {
  const expected = `["*"] or a list of: ${OUTGOING_TYPES.join(", ")}`;
  if (!Array.isArray(input) || input.length === 0) return `must be ${expected}`;
  if (input.includes(WILDCARD)) return `"*" must stand alone: ["*"]`;
  const unknown = input.filter((t) => typeof t !== "string" || !(OUTGOING_TYPES as readonly unknown[]).includes(t));
  if (unknown.length > 0) return `unknown event type ${unknown.map((t) => JSON.stringify(t)).join(", ")}; expected ${expected}`;
  if (new Set(input).size !== input.length) return "lists an event type twice";
  return `must be ${expected}`;
}

export const webhookEndpointInput = z
  .object({
    url: webhookUrl,
    events: endpointEvents,
    description: z.string().max(MAX_DESCRIPTION_LENGTH).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

/** PATCH: any of the same fields, at least one. */
export const webhookEndpointPatch = webhookEndpointInput
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: "change at least one field" });

export type WebhookEndpointInput = z.infer<typeof webhookEndpointInput>;
export type WebhookEndpointPatch = z.infer<typeof webhookEndpointPatch>;

/** Whether an endpoint subscribed to `events` receives an event of `type`. */
export function matches(events: readonly string[], type: OutgoingType): boolean {
  return events.includes(WILDCARD) || events.includes(type);
}
