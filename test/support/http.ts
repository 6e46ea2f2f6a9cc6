import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import { call } from "./app.ts";

/** A key that looks like a real one (right shape) but belongs to no store. */
export const WRONG_KEY = "pb_st_0000000000000000000000_00000000000000000000000000000000";

export interface FieldErrorExpectation {
  path: string;
  /** Exact message, or a pattern it must match; omitted = any non-empty message. */
  message?: string | RegExp;
}

/**
 * Asserts an RFC 9457 problem: the media type, the status in the line and in the body, the stable
 * `type` URI derived from `code`, and a non-empty title and detail. Returns the parsed body.
 */
export function expectProblem(res: LightMyRequestResponse, status: number, code: string): Record<string, any> {
  if (res.statusCode !== status) throw new Error(`expected ${status} ${code}, got ${res.statusCode}: ${res.body}`);
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json(;|$)/);
  const body = res.json() as Record<string, any>;
  expect(body).toMatchObject({
    type: `https://pointbook.dev/problems/${code.replaceAll("_", "-")}`,
    status,
    code,
  });
  expect(typeof body.title).toBe("string");
  expect(body.title.length).toBeGreaterThan(0);
  expect(typeof body.detail).toBe("string");
  expect(body.detail.length).toBeGreaterThan(0);
  return body;
}

/**
 * A 422 `validation_failed` whose `errors` name exactly these paths (in any order), each with a
 * non-empty message (or the one given).
 */
export function expectFieldErrors(res: LightMyRequestResponse, expected: Array<string | FieldErrorExpectation>): Record<string, any> {
  const body = expectProblem(res, 422, "validation_failed");
  expect(Array.isArray(body.errors)).toBe(true);
  const errors = body.errors as Array<{ path: string; message: string }>;
  for (const e of errors) {
    expect(typeof e.path).toBe("string");
    expect(typeof e.message).toBe("string");
    expect(e.message.length).toBeGreaterThan(0);
  }
  const want = expected.map((e) => (typeof e === "string" ? { path: e } : e));
  expect([...new Set(errors.map((e) => e.path))].sort()).toEqual([...new Set(want.map((w) => w.path))].sort());
  for (const w of want) {
    if (w.message === undefined) continue;
    const messages = errors.filter((e) => e.path === w.path).map((e) => e.message);
    if (typeof w.message === "string") expect(messages).toContain(w.message);
    else expect(messages.some((m) => (w.message as RegExp).test(m))).toBe(true);
  }
  return body;
}

/** Sends a raw payload with a JSON content type (for malformed bodies). */
export async function rawCall(app: FastifyInstance, method: string, url: string, key: string | null, payload: string, contentType = "application/json", extraHeaders: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { "content-type": contentType, ...extraHeaders };
  if (key) headers.authorization = `Bearer ${key}`;
  return app.inject({ method: method as "POST", url, headers, payload });
}

export interface RouteUnderTest {
  method: string;
  url: string;
  body?: unknown;
}

/**
 * The authentication cases every store route shares: no Authorization header, a key that is not a
 * key, a well-formed key of no store, another scheme, and the operator token (not a store key).
 */
export async function expectUnauthenticated(app: FastifyInstance, route: RouteUnderTest, operatorToken: string): Promise<void> {
  const cases: Array<[string, Record<string, string>]> = [
    ["no header", {}],
    ["garbage key", { authorization: "Bearer not-a-key" }],
    ["unknown key", { authorization: `Bearer ${WRONG_KEY}` }],
    ["basic scheme", { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` }],
    ["empty bearer", { authorization: "Bearer " }],
    ["operator token", { authorization: `Bearer ${operatorToken}` }],
  ];
  for (const [label, headers] of cases) {
    const res = await app.inject({
      method: route.method as "GET",
      url: route.url,
      headers,
      ...(route.body !== undefined ? { payload: route.body as object } : {}),
    });
    try {
      expectProblem(res, 401, "unauthorized");
    } catch (error) {
      throw new Error(`${route.method} ${route.url} with ${label}: ${(error as Error).message}`);
    }
  }
}

/** A key whose role is too low gets 403 `forbidden`, and the detail names the role needed. */
export async function expectForbidden(app: FastifyInstance, route: RouteUnderTest, key: string, needed: string): Promise<void> {
  const res = await call(app, route.method, route.url, { key, body: route.body });
  const body = expectProblem(res, 403, "forbidden");
  expect(body.detail).toContain(needed);
}

/** Malformed JSON, an empty JSON body and a JSON body that is not an object: a 4xx problem, never 500. */
export async function expectMalformedBodiesRefused(app: FastifyInstance, method: string, url: string, key: string): Promise<void> {
  const bad = await rawCall(app, method, url, key, '{"points": 10, "reason": ');
  const badBody = expectProblem(bad, 400, "invalid_json");
  expect(badBody.detail).toContain("not valid JSON");
  expect(badBody.errors).toEqual([{ path: "body", message: expect.any(String) }]);
  // An empty JSON body is read as {}: whatever the route answers, it is never a parse error or a 5xx.
  const empty = await rawCall(app, method, url, key, "");
  expect(empty.statusCode).toBeLessThan(500);
  if (empty.statusCode >= 400) expect(empty.json().code).not.toBe("invalid_json");
  expectFieldErrors(await rawCall(app, method, url, key, '"just a string"'), ["body"]);
  expectFieldErrors(await rawCall(app, method, url, key, "[1, 2]"), ["body"]);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
