import { z } from "zod";

/**
 * Names a response schema: it becomes one component of /openapi.json, referenced wherever it is
 * used, and one type name in the generated client. The schema itself is not changed (a clone).
 */
export function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  return schema.meta({ id, ...(description ? { description } : {}) });
}

/** An instant as it travels: ISO 8601 with an offset or Z (a Date becomes `…T…Z`). */
export const instantOut = z.iso.datetime({ offset: true });

export const id = z.string();

/** A list page: `nextCursor` is null on the last page (SPEC §4). */
export function page<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

/** How many items an all-or-nothing write changed. */
export const countView = named("Count", z.object({ count: z.number().int() }), "How many items the request changed");

/** Money with its currency, amount in minor units. */
export const moneyView = z.object({ amount: z.number().int(), currency: z.string() });

/**
 * A zod enum of a core union type. The record must list every member (the compiler checks it),
 * so the documented values follow the core's type.
 */
export function enumOf<T extends string>(all: Record<T, true>) {
  return z.enum(Object.keys(all) as [T, ...T[]]);
}
