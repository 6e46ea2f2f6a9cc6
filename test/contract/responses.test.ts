import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { declaredRoute } from "../../src/http/openapi.ts";
import { problem } from "../../src/http/responses/problem.ts";
import { platformSignature } from "../../src/http/hooks/signature.ts";
import { call, OPERATOR_TOKEN, startTestApp, type TestApp } from "../support/app.ts";
import { registeredRoutes, sampleStore, type RouteInfo, type Sample, type SampleStore } from "../hardening/route-fixture.ts";

/** Where a parsed body differs from the body sent: fields the schema dropped or filled in. */
function differences(sent: unknown, kept: unknown, at: string): string[] {
  if (sent !== null && kept !== null && typeof sent === "object" && typeof kept === "object") {
    const keys = new Set([...Object.keys(sent), ...Object.keys(kept)]);
    return [...keys].flatMap((k) => {
      const path = at ? `${at}.${k}` : k;
      const [a, b] = [(sent as Record<string, unknown>)[k], (kept as Record<string, unknown>)[k]];
      if (!(k in kept)) return [`${path} is in the answer but not declared`];
      if (!(k in sent)) return [`${path} is declared (with a default) but not in the answer`];
      return differences(a, b, path);
    });
  }
  return Object.is(sent, kept) ? [] : [`${at}: ${JSON.stringify(sent)} became ${JSON.stringify(kept)}`];
}

interface Operation {
  operationId?: string;
  responses?: Record<string, { content?: Record<string, unknown> }>;
}
type Answer = Awaited<ReturnType<typeof call>>;

/**
 * The contract kept honest: every route is called as the route matrix's samples call it, with the
 * role it declares, and its answer must be one it declares: the status listed, the body parsing
 * to itself under the declared zod schema (no field missing, none undeclared), and every refusal
 * a Problem. A route whose answer drifts from its declaration fails here.
 */
describe("every route answers as /openapi.json declares", () => {
  let t: TestApp;
  let paths: Record<string, Record<string, Operation>>;
  let routes: RouteInfo[];
  let n = 0;

  beforeAll(async () => {
    t = await startTestApp();
    paths = (t.app.swagger() as { paths: typeof paths }).paths;
    routes = await registeredRoutes(t.app);
  });
  afterAll(async () => t.close());

  const operation = (r: RouteInfo) => paths[r.path]![r.method.toLowerCase()]!;

  /** What is wrong with this answer to this route, or null when it is one the route declares. */
  function mismatch(r: RouteInfo, res: Answer): string | null {
    const op = operation(r);
    const declared = op.responses?.[String(res.statusCode)];
    if (!declared) return `answered ${res.statusCode}, which it does not declare (${Object.keys(op.responses ?? {}).join(", ")}): ${res.body.slice(0, 300)}`;
    const type = String(res.headers["content-type"] ?? "");
    const media = Object.keys(declared.content ?? {});
    if (media.length === 0) return res.body === "" ? null : `answered ${res.statusCode} with a body where none is declared`;
    if (!media.some((m) => type.startsWith(m))) return `answered ${res.statusCode} as ${type}, declared ${media.join(", ")}`;
    if (!type.includes("json")) return null;
    const schema: z.ZodType | undefined = res.statusCode >= 400 ? problem : declaredRoute(op.operationId ?? "")?.responses?.[res.statusCode as 200]?.schema;
    if (!schema) return `no zod schema declared for ${res.statusCode}`;
    const body: unknown = JSON.parse(res.body);
    const parsed = schema.safeParse(body);
    if (!parsed.success) return `${res.statusCode} body does not match its schema: ${parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
    // Parsing must give the body back: a field the schema strips (undeclared) or fills in (declared, missing) is a mismatch.
    const drift = differences(body, parsed.data, "");
    return drift.length === 0 ? null : `${res.statusCode} body differs from its schema: ${drift.slice(0, 5).join("; ")}`;
  }

  const keyFor = (s: SampleStore, role: string) => (role === "operator" ? OPERATOR_TOKEN : s.keys[role as keyof SampleStore["keys"]]);
  const send = (r: RouteInfo, sample: Sample, key: string | null) =>
    call(t.app, r.method, sample.url, { key, ...(sample.body !== undefined ? { body: sample.body } : {}), ...(sample.headers ? { headers: sample.headers } : {}) });

  it("every route has an operationId, a declaration and a 2xx response", () => {
    expect(routes.length).toBeGreaterThan(40);
    const incomplete = routes.filter((r) => {
      const op = operation(r);
      return !op.operationId || !declaredRoute(op.operationId) || !Object.keys(op.responses ?? {}).some((s) => s.startsWith("2"));
    });
    expect(incomplete.map((r) => r.id)).toEqual([]);
  });

  it("answers each keyed route's sample, with the role it declares, as declared", async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.role !== "none")) {
      // A fresh store per route: captures, releases and deletes find their target untouched.
      const s = await sampleStore(t.app, `c${n++}`, t.services);
      const sample = s.samples[r.id];
      if (!sample) {
        failures.push(`${r.id}: no sample in test/hardening/route-fixture.ts`);
        continue;
      }
      const res = await send(r, sample, keyFor(s, r.role));
      if (res.statusCode >= 300) failures.push(`${r.id}: the sample did not succeed: ${res.statusCode} ${res.body.slice(0, 300)}`);
      const wrong = mismatch(r, res);
      if (wrong) failures.push(`${r.id}: ${wrong}`);
    }
    expect(failures).toEqual([]);
  });

  it("answers refusals as declared Problems: no key, and ids that name nothing", async () => {
    const s = await sampleStore(t.app, `c${n++}`, t.services);
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.role !== "none")) {
      const sample = s.samples[r.id];
      if (!sample) continue;
      const check = (label: string, res: Answer) => {
        const wrong = mismatch(r, res);
        if (wrong) failures.push(`${r.id} ${label}: ${wrong}`);
      };
      check("without a key", await send(r, sample, null));
      // Every path parameter replaced by a name no record has: a 404, or what the route does with a new name.
      if (/\{\w+\}/.test(r.path) && r.role !== "operator") {
        const url = r.path.replace(/\{\w+\}/g, "no-such-thing") + (sample.url.includes("?") ? sample.url.slice(sample.url.indexOf("?")) : "");
        check("naming nothing", await send(r, { ...sample, url }, keyFor(s, r.role)));
      }
    }
    expect(failures).toEqual([]);
  });

  it("answers the public routes as declared: health, readiness, metrics and signed platform webhooks", async () => {
    const failures: string[] = [];
    const byId = new Map(routes.map((r) => [r.id, r]));
    const check = (id: string, res: Answer, expected: number) => {
      const r = byId.get(id);
      if (!r) return void failures.push(`${id}: not registered`);
      if (res.statusCode !== expected) failures.push(`${id}: answered ${res.statusCode}, expected ${expected}: ${res.body.slice(0, 200)}`);
      const wrong = mismatch(r, res);
      if (wrong) failures.push(`${id}: ${wrong}`);
    };
    check("GET /healthz", await call(t.app, "GET", "/healthz"), 200);
    check("GET /readyz", await call(t.app, "GET", "/readyz"), 200);
    check("GET /metrics", await call(t.app, "GET", "/metrics"), 200);

    const s = await sampleStore(t.app, `c${n++}`, t.services);
    const secret = "contract-webhook-secret-0123456789";
    const hooks = [
      { platform: "shopify", connect: { shopDomain: "contract.myshopify.com", webhookSecret: secret }, signature: "x-shopify-hmac-sha256", topic: "x-shopify-topic" },
      { platform: "woocommerce", connect: { siteUrl: "https://contract.example.com", webhookSecret: secret }, signature: "x-wc-webhook-signature", topic: "x-wc-webhook-topic" },
    ];
    for (const h of hooks) {
      const id = `POST /hooks/${h.platform}/{storeId}`;
      const url = `/hooks/${h.platform}/${s.store.id}`;
      const raw = JSON.stringify({ id: 1, note: "a topic Pointbook does not act on" });
      check(`${id}`, await call(t.app, "POST", url, { body: raw, headers: { "content-type": "application/json", [h.signature]: "bad" } }), 401);
      expect((await call(t.app, "PUT", `/v1/integrations/${h.platform}`, { key: s.keys.admin, body: h.connect })).statusCode).toBe(200);
      const headers = { "content-type": "application/json", [h.signature]: platformSignature(raw, secret), [h.topic]: "app/unknown" };
      check(id, await call(t.app, "POST", url, { body: raw, headers }), 200);
    }
    expect(failures).toEqual([]);
  });
});
