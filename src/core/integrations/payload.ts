import { z } from "zod";
import { DomainError } from "../errors.ts";
import { MAX_VALUE } from "../limits.ts";
import { emailSchema, phoneSchema, tagSchema } from "../members/attributes.ts";

/**
 * A platform's numeric id. Platforms send 64-bit ids as JSON numbers (Shopify's pass 2^53), so
 * payloads are parsed keeping such numbers as their digits: the id arrives as a number or a
 * string of digits, and is used as a decimal string.
 */
export const platformId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,30}$/)]).transform((v) => String(v));

/** Money as platforms write it: a decimal string, sometimes a bare number. */
export const decimalText = z.union([z.string().max(40), z.number()]).transform((v) => String(v));

/** A platform timestamp (with an offset, or a GMT one without), as an ISO instant in UTC. */
export function instant(value: string, path: string): string {
  const text = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new DomainError("validation_failed", `${path} is not a timestamp`, { errors: [{ path, message: "not a timestamp" }] });
  return new Date(t).toISOString();
}

export const optionalInstant = (value: string | null | undefined, path: string): string | null => (value ? instant(value, path) : null);

/** `a × n` in minor units, exactly, refused above the limits every amount has. */
export function times(amount: number, quantity: number, path: string): number {
  const product = BigInt(amount) * BigInt(quantity);
  if (product > BigInt(MAX_VALUE)) throw new DomainError("validation_failed", `${path} is above 10^12 minor units`, { errors: [{ path, message: "above 10^12" }] });
  return Number(product);
}

/** Contact details as the platform has them, dropped when Pointbook could not keep them as given. */
export const cleanEmail = (v: string | null | undefined): string | null => (v && emailSchema.safeParse(v).success ? v : null);
export const cleanPhone = (v: string | null | undefined): string | null => (v && phoneSchema.safeParse(v).success ? v : null);

/** A comma-separated tag list ("vip, wholesale"), as member or order tags. */
export function tagList(text: string | null | undefined, max: number): string[] {
  if (!text) return [];
  const tags = text.split(",").map((t) => t.trim().slice(0, 100)).filter((t) => tagSchema.safeParse(t).success);
  return [...new Set(tags)].slice(0, max);
}

/** Parses a payload part with a schema, reporting what is wrong with the platform's field names. */
export function read<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.slice(0, 20).map((i) => ({ path: i.path.join("."), message: i.message }));
  throw new DomainError("validation_failed", `the ${what} payload is not as expected: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}`, { errors });
}
