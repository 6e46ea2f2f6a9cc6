import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp } from "../support/app.ts";
import { expectProblem } from "../support/http.ts";

/** GET /v1/members/{id} sent at once, across two stores: each read answers for its own member and store. */
describe("member reads sent at once", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it("each gets its own member, an unknown member is 404 without failing the others, and stores never mix", async () => {
    const a = await createTestStore(t.app);
    const b = await createTestStore(t.app);
    for (let i = 0; i < 20; i++) {
      await call(t.app, "POST", `/v1/members/m${i}/adjustments`, { key: a.adminKey, body: { points: 10 + i, reason: "funds" } });
    }
    await call(t.app, "POST", "/v1/members/m3/adjustments", { key: b.adminKey, body: { points: 999, reason: "other store" } });
    const reads = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => call(t.app, "GET", `/v1/members/m${i}`, { key: a.adminKey })),
      call(t.app, "GET", "/v1/members/nobody", { key: a.adminKey }),
      call(t.app, "GET", "/v1/members/m3", { key: b.adminKey }),
      call(t.app, "GET", "/v1/members/m4", { key: b.adminKey }),
    ]);
    reads.slice(0, 20).forEach((r, i) => expect(r.json()).toMatchObject({ memberId: `m${i}`, balance: 10 + i }));
    expectProblem(reads[20]!, 404, "not_found");
    expect(reads[21]!.json()).toMatchObject({ memberId: "m3", balance: 999 });
    expectProblem(reads[22]!, 404, "not_found");
  });
});
