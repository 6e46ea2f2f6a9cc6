import type { FastifyInstance } from "fastify";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { z } from "zod";
import type { RouteRole } from "./auth.ts";
import { problem } from "./responses/problem.ts";

/**
 * The API's contract, /openapi.json, built from each route's one declaration: the zod schemas that
 * validate its request, the zod schemas of what it answers, its role and the refusals it can give.
 * Response schemas document only: answers are serialized as they are (see registerOpenApi).
 */
export type JsonSchema = Record<string, unknown>;

const COMPONENTS = "#/components/schemas/";
/** Schemas given a name (responses/common.ts `named`) become components, met as routes are declared. */
const components = new Map<string, JsonSchema>();

function refsToComponents(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(refsToComponents);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) =>
    [key, key === "$ref" && typeof v === "string" && v.startsWith("#/$defs/") ? COMPONENTS + v.slice("#/$defs/".length) : refsToComponents(v)]));
}

function addComponent(name: string, schema: JsonSchema): void {
  if (name.startsWith("__")) throw new Error(`a recursive schema must be named to be documented: ${JSON.stringify(schema).slice(0, 200)}`);
  const known = components.get(name);
  if (known && JSON.stringify(known) !== JSON.stringify(schema)) throw new Error(`two different schemas are named ${name} in /openapi.json`);
  components.set(name, schema);
}

/** A zod schema as JSON Schema: requests as clients may send them (input), answers as sent (output). */
export function jsonSchema(schema: z.ZodType, io: "input" | "output" = "input"): JsonSchema {
  const { $schema: _dialect, $defs, ...root } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) addComponent(name, refsToComponents(def) as JsonSchema);
  return refsToComponents(root) as JsonSchema;
}

/** What a route answers on success: JSON described by a zod schema, another media type, or nothing. */
export interface SuccessDoc {
  description: string;
  /** The JSON body; absent for an answer without a body. */
  schema?: z.ZodType;
  /** A body that is not JSON (CSV, Prometheus text): its media type. */
  mediaType?: string;
}

export const json = (description: string, schema: z.ZodType): SuccessDoc => ({ description, schema });
export const noContent = (description: string): SuccessDoc => ({ description });
export const csv = (description: string): SuccessDoc => ({ description, mediaType: "text/csv" });
export const text = (description: string, mediaType: string): SuccessDoc => ({ description, mediaType });

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

export interface RouteDoc {
  /**
   * camelCase verb and noun: the method name in generated clients (`getMember`). Optional for
   * the compiler only while routes are being added: the contract tests fail on a route without
   * it or without responses.
   */
  operationId?: string;
  summary: string;
  description?: string;
  tags: string[];
  role: RouteRole;
  params?: z.ZodType;
  querystring?: z.ZodType;
  body?: z.ZodType;
  /** The body's media types when it is not JSON (`text/csv`). */
  consumes?: string[];
  /** Request headers the route reads (documented only): a platform's signature. */
  headers?: z.ZodType;
  /** The write runs through the command runner: `Idempotency-Key` makes it run once. */
  idempotent?: boolean;
  responses?: Partial<Record<200 | 201 | 202 | 204 | 503, SuccessDoc>>;
  /** Refusals particular to this route (404, 409…); those that follow from its role and input are added. */
  errors?: Partial<Record<ErrorStatus, string>>;
}

/** Declared routes by operationId, for the contract test to check answers against. */
const declared = new Map<string, RouteDoc>();
export function declaredRoute(operationId: string): RouteDoc | undefined {
  return declared.get(operationId);
}

const RANKED: RouteRole[] = ["points_manager", "admin"];

/** The refusals every route of this kind can give: from authentication, the rate limit and input checks. */
function standardErrors(d: RouteDoc): Partial<Record<ErrorStatus, string>> {
  const keyed = d.role !== "none";
  const input = d.body !== undefined || d.querystring !== undefined || d.params !== undefined;
  return {
    ...(keyed ? { 401: d.role === "operator" ? "The operator token is missing or wrong" : d.role === "member" ? "The member token is missing, expired or not valid (`invalid_token`)" : "The API key is missing, not valid or revoked" } : {}),
    ...(RANKED.includes(d.role) ? { 403: `The key's role is below ${d.role}` } : {}),
    ...(d.idempotent ? { 409: "The Idempotency-Key was used with another request" } : {}),
    ...(input ? { 422: "A field is not valid; `errors` names each one" } : {}),
    ...(keyed ? { 429: "Too many requests with this key; retry after `Retry-After` seconds" } : {}),
  };
}

const problemRef = { $ref: `${COMPONENTS}Problem` };
const problemResponse = (status: string, description: string): JsonSchema =>
  ({ description, ...(status === "429" ? { headers: retryAfter } : {}), content: { "application/problem+json": { schema: problemRef } } });
const retryAfter = { "retry-after": { type: "integer", description: "Seconds to wait before retrying" } };
const replayed = { "idempotent-replayed": { type: "string", enum: ["true"], description: "Present when this is the stored answer to an earlier request with the same Idempotency-Key" } };
const idempotencyHeader = z.object({
  "idempotency-key": z.string().min(1).max(255).optional().describe("Makes the write run once: a retry with the same key and body gets the stored answer"),
});

function successSchema(s: SuccessDoc, idempotent: boolean): JsonSchema {
  const headers = idempotent ? { headers: replayed } : {};
  if (s.schema) return { description: s.description, ...headers, content: { "application/json": { schema: jsonSchema(s.schema, "output") } } };
  if (s.mediaType) return { description: s.description, content: { [s.mediaType]: { schema: { type: "string" } } } };
  return { description: s.description, ...headers, type: "null" };
}

function mergeObjects(a: z.ZodType | undefined, b: z.ZodObject | undefined): z.ZodType | undefined {
  if (!b) return a;
  if (!a) return b;
  return a instanceof z.ZodObject ? a.extend(b.shape) : a;
}

/** The route's documentation as Fastify's `schema`, which @fastify/swagger turns into the operation. */
function doc(d: RouteDoc): JsonSchema {
  ensureProblem();
  const errors = standardErrors(d);
  for (const [status, description] of Object.entries(d.errors ?? {}) as Array<[`${ErrorStatus}`, string]>) {
    const known = errors[Number(status) as ErrorStatus];
    errors[Number(status) as ErrorStatus] = known ? `${description}; or: ${known[0]!.toLowerCase()}${known.slice(1)}` : description;
  }
  const response: JsonSchema = {};
  for (const [status, s] of Object.entries(d.responses ?? {})) response[status] = successSchema(s, d.idempotent === true);
  for (const [status, description] of Object.entries(errors)) response[status] = problemResponse(status, description);
  const headers = mergeObjects(d.headers, d.idempotent ? idempotencyHeader : undefined);
  return {
    ...(d.operationId ? { operationId: d.operationId } : {}),
    summary: d.summary,
    tags: d.tags,
    description: [d.description, d.role === "none" ? undefined : `Requires the \`${d.role}\` role.`].filter(Boolean).join("\n\n") || undefined,
    security: d.role === "none" ? [] : d.role === "member" ? [{ memberToken: [] }] : [{ bearer: [] }],
    ...(d.params ? { params: jsonSchema(d.params) } : {}),
    ...(d.querystring ? { querystring: jsonSchema(d.querystring) } : {}),
    ...(headers ? { headers: jsonSchema(headers) } : {}),
    ...(d.body ? { body: jsonSchema(d.body) } : {}),
    ...(d.consumes ? { consumes: d.consumes } : {}),
    response,
  };
}

function ensureProblem(): void {
  if (!components.has("Problem")) jsonSchema(problem, "output");
}

/**
 * A route's one declaration: its documentation and the role the authentication hook enforces.
 * The role also appears in /openapi.json as `x-role`, so clients and tests can read it.
 */
export function route(d: RouteDoc, config: RouteConfig = {}): { schema: JsonSchema; config: RouteConfig & { role: RouteRole } } {
  if (d.operationId) declared.set(d.operationId, d);
  return { schema: { ...doc(d), "x-role": d.role }, config: { ...config, role: d.role } };
}

interface RouteConfig {
  checksOwnStrings?: boolean;
  /** The route reads its body raw, whatever its content type (platform webhooks): never 415. */
  anyBodyType?: boolean;
}

declare module "fastify" {
  interface FastifyContextConfig {
    anyBodyType?: boolean;
  }
}

/** Refusals any request with a body can meet before its route runs, whether or not the route reads the body. */
const BODY_ERRORS: Record<string, string> = {
  400: "The body cannot be parsed (JSON: not valid, or nested deeper than 32 levels)",
  413: "The body is too large",
  415: "The body's content type is not accepted",
};

/**
 * /openapi.json and /docs. Answers are serialized with JSON.stringify whatever the declared
 * response schema, so declaring a schema never drops or coerces a field of an answer.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // The method is known here, not in route(): POST, PUT and PATCH bodies are read before any route runs.
  app.addHook("onRoute", (options) => {
    const schema = options.schema as { response?: Record<string, unknown>; "x-role"?: unknown } | undefined;
    const methods = [options.method].flat();
    if (!schema?.response || schema["x-role"] === undefined || !methods.some((m) => m === "POST" || m === "PUT" || m === "PATCH")) return;
    for (const [status, description] of Object.entries(BODY_ERRORS)) {
      if (status === "415" && options.config?.anyBodyType) continue;
      schema.response[status] ??= problemResponse(status, description);
    }
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Pointbook API",
        version: "1",
        description: "Loyalty points: an exact, auditable ledger per member. Errors are RFC 9457 problem details; lists are `{data, nextCursor}` pages.",
        license: { name: "MIT", identifier: "MIT" },
      },
      servers: [{ url: "/", description: "The server that serves this document" }],
      tags: TAGS,
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", description: "A store API key, or the operator token for POST /v1/stores" },
          memberToken: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A member token (HS256 JWT, SPEC §3 Member tokens), for /v1/me… only" },
        },
      },
    },
    // Components are the named schemas the routes met, sorted so the document is the same every time.
    transformObject: (document) => {
      if (!("openapiObject" in document)) return document.swaggerObject;
      const { openapiObject } = document;
      const schemas = Object.fromEntries([...components.entries()].sort(([a], [b]) => a.localeCompare(b)));
      return Object.assign(openapiObject, { components: { ...openapiObject.components, schemas } });
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true }, config: { role: "none" } }, async () => app.swagger());
}

const TAGS = [
  { name: "operations", description: "Liveness, readiness and Prometheus metrics; no key needed" },
  { name: "stores", description: "Stores (tenants), created with the operator token" },
  { name: "keys", description: "A store's API keys and their roles" },
  { name: "program", description: "Program settings, and the whole program as one document" },
  { name: "members", description: "Members, their balances, activity and messages" },
  { name: "adjustments", description: "Points added or deducted by hand, with a reason" },
  { name: "earn rules", description: "Rules that award points for events and orders" },
  { name: "events", description: "Events that earn points, and the feed of outgoing events" },
  { name: "orders", description: "Orders: points earned, pending, reversed and spent follow the order's state" },
  { name: "redeem methods", description: "What points can be spent on" },
  { name: "redemptions", description: "Points spent: held and captured, or completed at once" },
  { name: "entitlements", description: "Units granted by catalog redemptions" },
  { name: "checkout", description: "Quotes for a cart, and coupon codes" },
  { name: "tiers", description: "Tier definitions and manual tier assignment" },
  { name: "exports", description: "Streamed CSV exports" },
  { name: "audit", description: "Who changed which setting, when" },
  { name: "sandbox", description: "A sandbox store's own clock" },
  { name: "webhooks", description: "Webhook endpoints and their deliveries" },
  { name: "integrations", description: "Shopify and WooCommerce: connections and the platforms' signed webhooks" },
  { name: "imports", description: "CSV imports of members, balances and orders" },
  { name: "back office", description: "What the back office reads beyond the resources themselves" },
];

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
