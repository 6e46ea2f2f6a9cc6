import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/http/app.ts";
import { OPERATOR_TOKEN, call, createTestStore, startTestApp, type TestApp } from "../support/app.ts";
import { expectProblem, rawCall } from "../support/http.ts";

/** The public contract's paths (SPEC §4) this server implements so far, as OpenAPI spells them. */
const CONTRACT: Record<string, string[]> = {
  "/v1/stores": ["post"],
  "/v1/store": ["get"],
  "/v1/keys": ["get", "post"],
  "/v1/program": ["get", "patch"],
  "/v1/members/{memberId}": ["get", "put"],
  "/v1/members/{memberId}/activity": ["get"],
  "/v1/members/{memberId}/adjustments": ["post"],
  "/v1/adjustments/bulk": ["post"],
  "/v1/redeem-methods": ["get", "post"],
  "/v1/redeem-methods/{id}": ["delete", "get", "patch"],
  "/v1/redemptions": ["post"],
  "/v1/redemptions/{id}": ["get"],
  "/v1/redemptions/{id}/capture": ["post"],
  "/v1/redemptions/{id}/release": ["post"],
  "/v1/members/{memberId}/entitlements": ["get"],
  "/v1/entitlements/{id}/consume": ["post"],
  "/v1/audit-log": ["get"],
  "/v1/clock/advance": ["post"],
};

describe("operations: health, metrics, OpenAPI, docs, unknown routes", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  describe("health", () => {
    it("GET /healthz is alive without a key", async () => {
      const res = await call(t.app, "GET", "/healthz");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: "ok" });
    });

    it("GET /readyz checks the database", async () => {
      const res = await call(t.app, "GET", "/readyz");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: "ready" });
    });

    it("GET /readyz is 503 when the database does not answer", async () => {
      const broken = await buildApp({ services: t.services, operatorToken: OPERATOR_TOKEN, ping: async () => { throw new Error("connection refused"); } });
      try {
        const res = await call(broken, "GET", "/readyz");
        expect(res.statusCode).toBe(503);
        expect(res.json()).toEqual({ status: "unavailable" });
        expect(res.body).not.toContain("connection refused");
        expect((await call(broken, "GET", "/healthz")).statusCode).toBe(200);
      } finally {
        await broken.close();
      }
    });
  });

  describe("metrics", () => {
    it("GET /metrics is Prometheus text with requests by route and status and their duration by route", async () => {
      await call(t.app, "GET", "/healthz");
      const store = await createTestStore(t.app);
      await call(t.app, "GET", "/v1/members/nobody", { key: store.adminKey });
      const res = await call(t.app, "GET", "/metrics");
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/plain/);
      expect(res.body).toContain("# TYPE pointbook_http_request_duration_seconds histogram");
      expect(res.body).toMatch(/pointbook_http_request_duration_seconds_count\{method="GET",route="\/healthz"\} [1-9]/);
      expect(res.body).toMatch(/pointbook_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/v1\/members\/:memberId"\} [1-9]/);
      expect(res.body).toMatch(/pointbook_http_requests_total\{method="GET",route="\/v1\/members\/:memberId",status="404"\} [1-9]/);
      expect(res.body).toMatch(/pointbook_http_requests_total\{method="POST",route="\/v1\/stores",status="201"\} [1-9]/);
      expect(res.body).toContain("# TYPE pointbook_due_work_seconds histogram");
      // Labels are route patterns, never raw URLs with ids in them.
      expect(res.body).not.toContain("nobody");
      expect(res.body).toContain("process_cpu_seconds_total");
    });
  });

  describe("OpenAPI and docs", () => {
    it("GET /openapi.json is OpenAPI 3.1 listing every /v1 path of the contract with its methods", async () => {
      const res = await call(t.app, "GET", "/openapi.json");
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      const doc = res.json();
      expect(doc.openapi).toBe("3.1.0");
      expect(doc.info).toMatchObject({ title: "Pointbook API", version: "1" });
      expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: "http", scheme: "bearer" }));
      for (const [path, methods] of Object.entries(CONTRACT)) {
        expect(doc.paths[path], `${path} is documented`).toBeDefined();
        for (const m of methods) expect(doc.paths[path][m], `${m.toUpperCase()} ${path} is documented`).toBeDefined();
      }
      for (const path of ["/healthz", "/readyz", "/metrics"]) expect(doc.paths[path].get).toBeDefined();
      expect(doc.paths["/openapi.json"]).toBeUndefined();
    });

    it("every documented /v1 operation has a summary, declares bearer auth (a member token on /v1/me…) and refuses a request without a key", async () => {
      const doc = (await call(t.app, "GET", "/openapi.json")).json() as { paths: Record<string, Record<string, { summary?: string; security?: unknown }>> };
      const operations = Object.entries(doc.paths)
        .filter(([path]) => path.startsWith("/v1/"))
        .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
      expect(operations.length).toBeGreaterThanOrEqual(Object.values(CONTRACT).flat().length);
      for (const { path, method, op } of operations) {
        const label = `${method.toUpperCase()} ${path}`;
        expect(op.summary, label).toEqual(expect.any(String));
        expect(op.security, label).toEqual(path === "/v1/me" || path.startsWith("/v1/me/") ? [{ memberToken: [] }] : [{ bearer: [] }]);
        const url = path.replace(/\{[^}]+\}/g, "x").replace(/:([A-Za-z]+)/g, "x");
        const res = await call(t.app, method.toUpperCase(), url, { key: null, body: ["post", "put", "patch"].includes(method) ? {} : undefined });
        try {
          expectProblem(res, 401, "unauthorized");
        } catch (error) {
          throw new Error(`${label}: ${(error as Error).message}`);
        }
      }
    });

    it("request bodies are documented from the validating schemas", async () => {
      const doc = (await call(t.app, "GET", "/openapi.json")).json();
      const adjust = doc.paths["/v1/members/{memberId}/adjustments"].post;
      const schema = adjust.requestBody.content["application/json"].schema;
      expect(schema.required).toEqual(expect.arrayContaining(["points", "reason"]));
      expect(schema.properties.reason).toMatchObject({ type: "string", minLength: 1, maxLength: 500 });
      const store = doc.paths["/v1/stores"].post.requestBody.content["application/json"].schema;
      expect(store.required).toEqual(expect.arrayContaining(["name", "currency", "timezone"]));
    });

    it("GET /docs serves the browsable HTML docs", async () => {
      const res = await call(t.app, "GET", "/docs");
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
      expect(res.body).toContain("<html");
      expect(res.body).toContain("swagger-ui");
      const initializer = await call(t.app, "GET", "/docs/static/swagger-initializer.js");
      expect(initializer.statusCode).toBe(200);
    });
  });

  describe("unknown routes and malformed requests", () => {
    it("an unknown route is 404 problem+json naming the route", async () => {
      for (const [method, url] of [["GET", "/v1/nothing-here"], ["GET", "/v2/program"], ["DELETE", "/v1/program"], ["GET", "/"], ["POST", "/healthz"]] as const) {
        const res = await call(t.app, method, url);
        const body = expectProblem(res, 404, "not_found");
        expect(body.detail).toBe(`no route for ${method} ${url}`);
      }
      // the query string is not echoed
      expect(expectProblem(await call(t.app, "GET", "/v1/nope?token=secret"), 404, "not_found").detail).toBe("no route for GET /v1/nope");
    });

    it("an unknown route answers 404 whether or not a key is sent", async () => {
      const store = await createTestStore(t.app);
      expectProblem(await call(t.app, "GET", "/v1/does-not-exist", { key: store.adminKey }), 404, "not_found");
    });

    it("a URL that does not decode is a 400 problem", async () => {
      const res = await call(t.app, "GET", "/v1/members/%E0%A4%A");
      expectProblem(res, 400, "validation_failed");
    });

    it("an unsupported content type and an oversized body are 4xx problems, never 500", async () => {
      const store = await createTestStore(t.app);
      const xml = await rawCall(t.app, "POST", "/v1/members/m/adjustments", store.adminKey, "<points>5</points>", "application/xml");
      expectProblem(xml, 415, "unsupported_media_type");
      const big = await rawCall(t.app, "POST", "/v1/members/m/adjustments", store.adminKey, JSON.stringify({ points: 1, reason: "x".repeat(1024 * 1024 + 10) }));
      expectProblem(big, 413, "body_too_large");
      expectProblem(await call(t.app, "GET", "/v1/members/m", { key: store.adminKey }), 404, "not_found");
    });

    it("JSON prototype poisoning is refused, not merged", async () => {
      const store = await createTestStore(t.app);
      const res = await rawCall(t.app, "PATCH", "/v1/program", store.adminKey, '{"__proto__": {"enabled": false}}');
      expectProblem(res, 400, "invalid_json");
      expect((await call(t.app, "GET", "/v1/program", { key: store.adminKey })).json().enabled).toBe(true);
    });
  });
});
