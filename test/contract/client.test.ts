import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPointbookClient, type PointbookClient } from "../../web/api/client.ts";
import { createTestStore, startTestApp, type TestApp } from "../support/app.ts";

/** The typed client against a real server process's HTTP, with the platform's fetch, as a browser would call it. */
describe("createPointbookClient", () => {
  let t: TestApp;
  let api: PointbookClient;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const store = await createTestStore(t.app);
    api = createPointbookClient(`http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`, store.adminKey);
  });
  afterAll(async () => t.close());

  it("sends the key, types answers, and gives refusals as Problems", async () => {
    const put = await api.PUT("/v1/members/{memberId}", { params: { path: { memberId: "ada" } }, body: { email: "ada@example.com" } });
    expect(put.data?.email).toBe("ada@example.com");

    const credit = await api.POST("/v1/members/{memberId}/adjustments", {
      params: { path: { memberId: "ada" }, header: { "idempotency-key": "client-test-1" } },
      body: { points: 250, reason: "welcome" },
    });
    expect(credit.response.status).toBe(201);
    expect(credit.data?.balanceAfter).toBe(250);

    const member = await api.GET("/v1/members/{memberId}", { params: { path: { memberId: "ada" } } });
    const balance: number | undefined = member.data?.balance;
    expect(balance).toBe(250);

    const missing = await api.GET("/v1/members/{memberId}", { params: { path: { memberId: "nobody" } } });
    expect(missing.data).toBeUndefined();
    expect(missing.error?.code).toBe("not_found");
    expect(missing.response.headers.get("content-type")).toMatch(/^application\/problem\+json/);

    const page = await api.GET("/v1/members/{memberId}/activity", { params: { path: { memberId: "ada" }, query: { limit: 10 } } });
    expect(page.data?.data.map((e) => e.type)).toEqual(["adjust"]);
  });
});
