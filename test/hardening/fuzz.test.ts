import fc from "fast-check";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../src/storage/verify.ts";
import { OPERATOR_TOKEN, startTestApp, type TestApp } from "../support/app.ts";
import { registeredRoutes, sampleStore, type RouteInfo, type SampleStore } from "./route-fixture.ts";

/** Requests per run: at least 10 000 in CI (SPEC §4: no input gets a 5xx). */
const RUNS = Number(process.env.POINTBOOK_FUZZ_RUNS ?? 10_000);

type Json = unknown;

const nested = (depth: number): Json => (depth === 0 ? 1 : [nested(depth - 1)]);

/** Values that have broken servers before: huge, negative, fractional, empty, the wrong type, not Unicode. */
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<Json>(1e20, -1, -1e20, 1.5, 0, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e12, 1e12 + 1, -0.0001, "", " ", true, false, null, [], {}, "\ud800", "a\udc00b", "a\u0000b", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-13-45T25:61:00Z", "1969-12-31T23:59:59Z", "NaN", "1e400", "__proto__", "constructor", "../../etc/passwd", "<script>", "'; DROP TABLE members; --") },
  { weight: 1, arbitrary: fc.constantFrom<Json>("x".repeat(100_000), nested(40), nested(31), Array.from({ length: 2_000 }, (_, i) => i)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(Number)) },
);

/** Every path to a value inside a JSON document ("" = the document itself). */
function paths(value: Json, prefix: string[] = []): string[][] {
  const here = [prefix];
  if (Array.isArray(value)) return here.concat(...value.map((v, i) => paths(v, [...prefix, String(i)])));
  if (value !== null && typeof value === "object") return here.concat(...Object.entries(value).map(([k, v]) => paths(v, [...prefix, k])));
  return here;
}

type Mutation = { kind: "replace" | "delete" | "extra"; value: Json; key: string };

function mutate(doc: Json, path: string[], m: Mutation): Json {
  if (path.length === 0) return m.kind === "replace" ? m.value : doc;
  const copy = JSON.parse(JSON.stringify(doc)) as Record<string, Json>;
  let parent: Record<string, Json> = copy;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string, Json>;
  const last = path[path.length - 1]!;
  if (m.kind === "replace") parent[last] = m.value;
  else if (m.kind === "delete") {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (parent[last] !== null && typeof parent[last] === "object" && !Array.isArray(parent[last])) (parent[last] as Record<string, Json>)[m.key] = m.value;
  else parent[m.key] = m.value;
  return copy;
}

/** A valid body with one to three of its fields deleted, replaced with hostile values, or joined by extra ones. */
function mutatedBody(sample: Json): fc.Arbitrary<Json> {
  const all = paths(sample ?? {});
  const one = fc.record({
    path: fc.constantFrom(...all),
    m: fc.record({ kind: fc.constantFrom<Mutation["kind"]>("replace", "replace", "delete", "extra"), value: hostileValue, key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("__proto__", "constructor", "\ud800", "")) }),
  });
  return fc.array(one, { minLength: 1, maxLength: 3 }).map((ms) => ms.reduce<Json>((doc, { path, m }) => {
    try {
      return mutate(doc, path, m);
    } catch {
      return doc; // the path went away with an earlier mutation
    }
  }, sample ?? {}));
}

const rawBodies = fc.constantFrom(
  "", " ", "{", "[", '{"a":', "null", "true", "1e400", '"\\ud800"', "{\"__proto__\":{\"x\":1}}", '{"constructor":{"prototype":{"x":1}}}',
  "[".repeat(100_000) + "]".repeat(100_000), "\u0000", "\ufeff{}", '{"a":1,"a":2}', "<xml/>", "a=1&b=2", "0x10", "-", "{}".repeat(1000),
);

const hostileSegment = fc.oneof(
  fc.constantFrom("%00", "%ZZ", "%", "..", "%2e%2e", "%ED%A0%80", "%F0%9F%92%A5", "a".repeat(201), "a".repeat(5_000), "%20", "%2F", "null", "0", "-1", "st_x"),
  fc.string({ unit: "grapheme", maxLength: 30 }).map(encodeURIComponent),
);

const contentTypes = fc.oneof(
  { weight: 10, arbitrary: fc.constant("application/json") },
  { weight: 1, arbitrary: fc.constantFrom("application/json; charset=latin1", "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream", "text/csv", "application/problem+json", "") },
);

interface Callers {
  a: SampleStore;
  b: SampleStore;
}

function requestFor(route: RouteInfo, callers: Callers): fc.Arbitrary<InjectOptions> {
  const sample = callers.a.samples[route.id] ?? { url: route.path.replace(/\{[^}]+\}/g, "x") };
  const segments = sample.url.split("?")[0]!.split("/");
  const url = fc.oneof(
    { weight: 4, arbitrary: fc.constant(sample.url) },
    { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 1, max: Math.max(1, segments.length - 1) }), hostileSegment).map(([i, s]) => segments.map((x, j) => (j === i && j > 1 ? s : x)).join("/")) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("limit", "cursor", "from", "to", "dryRun", "memberId", "subtotal", "quantity", "skus", "x"), hostileSegment).map(([k, v]) => `${sample.url}${sample.url.includes("?") ? "&" : "?"}${k}=${v}`) },
  );
  const key = fc.oneof(
    { weight: 6, arbitrary: fc.constant(callers.a.keys.admin) },
    { weight: 2, arbitrary: fc.constantFrom(callers.a.keys.points_manager, callers.a.keys.viewer, callers.b.keys.admin, OPERATOR_TOKEN) },
    { weight: 1, arbitrary: fc.constantFrom<string | null>(null, "garbage", `pb_${callers.a.store.id}_${"z".repeat(32)}`, "Bearer", "x".repeat(10_000)) },
  );
  const body = route.method === "GET" || route.method === "DELETE"
    ? fc.constant<{ payload?: string }>({})
    : fc.oneof(
      { weight: 5, arbitrary: mutatedBody(sample.body).map((b) => ({ payload: JSON.stringify(b) ?? "" })) },
      { weight: 3, arbitrary: fc.constant({ payload: JSON.stringify(sample.body ?? {}) }) },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((b) => ({ payload: JSON.stringify(b) ?? "" })) },
      { weight: 1, arbitrary: rawBodies.map((payload) => ({ payload })) },
    );
  const idempotencyKey = fc.option(fc.oneof(fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 300 }), fc.constant("same-key")), { freq: 3 });
  return fc.record({ url, key, body, contentType: contentTypes, idempotencyKey }).map(({ url: u, key: k, body: b, contentType, idempotencyKey: ik }) => {
    const headers: Record<string, string> = {};
    if (k) headers.authorization = k.startsWith("Bearer") ? k : `Bearer ${k}`;
    if (b.payload !== undefined && contentType) headers["content-type"] = contentType;
    if (ik) headers["idempotency-key"] = ik;
    return { method: route.method as "GET", url: u, headers, ...(b.payload !== undefined ? { payload: b.payload } : {}) };
  });
}

describe("fuzz: hostile requests from the route table", () => {
  let t: TestApp;
  let callers: Callers;
  let routes: RouteInfo[];
  beforeAll(async () => {
    t = await startTestApp();
    callers = { a: await sampleStore(t.app, "A"), b: await sampleStore(t.app, "B") };
    routes = await registeredRoutes(t.app);
  });
  afterAll(async () => t.close());

  it(`answers ${RUNS} hostile requests with 2xx/3xx or a 4xx problem, never a 5xx, and leaves the ledger consistent`, async () => {
    const counts = { requests: 0, byStatus: new Map<number, number>() };
    const request = fc.constantFrom(...routes).chain((route) => requestFor(route, callers));
    await fc.assert(
      fc.asyncProperty(request, async (options) => {
        const res = await t.app.inject(options);
        counts.requests++;
        counts.byStatus.set(res.statusCode, (counts.byStatus.get(res.statusCode) ?? 0) + 1);
        const label = `${options.method} ${String(options.url).slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
        expect(res.statusCode, label).toBeLessThan(500);
        if (res.statusCode >= 400) {
          expect(String(res.headers["content-type"]), label).toMatch(/^application\/problem\+json/);
          const problem = res.json() as { status: number; code: string; title: string };
          expect(problem.status, label).toBe(res.statusCode);
          expect(typeof problem.code, label).toBe("string");
        }
      }),
      { numRuns: RUNS, ...(process.env.POINTBOOK_FUZZ_SEED ? { seed: Number(process.env.POINTBOOK_FUZZ_SEED) } : {}) },
    );
    expect(counts.requests).toBeGreaterThanOrEqual(RUNS);
    // The server is still healthy and every balance is still derivable from its entries and lots.
    expect((await t.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
    expect(await verifyLedger(t.db)).toEqual([]);
    const statuses = [...counts.byStatus.entries()].sort((x, y) => x[0] - y[0]).map(([s, n]) => `${s}×${n}`).join(" ");
    process.stdout.write(`fuzz: ${counts.requests} requests, 0 answered 5xx (${statuses})\n`);
    // The mix reaches past the front door: a good share of requests are accepted.
    expect([...counts.byStatus.entries()].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(RUNS / 20);
  }, 1_800_000);
});
