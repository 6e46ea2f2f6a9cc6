import type { z } from "zod";
import { fromZod } from "./errors.ts";

/** Parses a request part with a zod schema; failures become a field-level validation problem. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, prefix = ""): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw fromZod(result.error, prefix);
  return result.data;
}
