import { z } from "zod";
import type { RouteRole } from "./auth.ts";

/** Route documentation for /openapi.json, built from the same zod schemas that validate requests. */
export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

export interface RouteDoc {
  summary: string;
  tags: string[];
  role: RouteRole;
  body?: z.ZodType;
  querystring?: z.ZodType;
}

export function doc(d: RouteDoc): Record<string, unknown> {
  return {
    summary: d.summary,
    tags: d.tags,
    description: d.role && d.role !== "none" ? `Requires the \`${d.role}\` role.` : undefined,
    ...(d.role === "none" ? {} : { security: [{ bearer: [] }] }),
    ...(d.body ? { body: jsonSchema(d.body) } : {}),
    ...(d.querystring ? { querystring: jsonSchema(d.querystring) } : {}),
  };
}

/**
 * A route's one declaration: its documentation and the role the authentication hook enforces.
 * The role also appears in /openapi.json as `x-role`, so clients and tests can read it.
 */
export function route(d: RouteDoc, config: { checksOwnStrings?: boolean } = {}): { schema: Record<string, unknown>; config: { role: RouteRole; checksOwnStrings?: boolean } } {
  return { schema: { ...doc(d), "x-role": d.role }, config: { ...config, role: d.role } };
}

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
