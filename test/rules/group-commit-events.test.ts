import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";

/**
 * POST /v1/events under concurrency: events arriving together share transactions (group commit),
 * and every answer is the one the event would get alone.
 */
describe("single events sent at once", () => {
  let t: TestApp;
  let store: TestStore;
  beforeAll(async () => {
    t = await startTestApp();
    store = await createTestStore(t.app);
    const rules = [
      { name: "Visit", event: "store.visited", award: { type: "fixed", points: 10 }, limits: { maxTimesPerDay: 5 } },
      { name: "Welcome", event: "store.visited", award: { type: "fixed", points: 100 }, limits: { once: true } },
    ];
    for (const body of rules) expect((await call(t.app, "POST", "/v1/earn-rules", { key: store.adminKey, body })).statusCode).toBe(201);
  });
  afterAll(async () => t.close());

  const send = (body: Record<string, unknown>) => call(t.app, "POST", "/v1/events", { key: store.adminKey, body });

  it("300 events over 30 members: caps and once-rules hold exactly, each answer its own", async () => {
    const members = Array.from({ length: 30 }, (_, i) => `v${i}`);
    const res = await Promise.all(Array.from({ length: 300 }, (_, i) => send({ id: `visit-${i}`, type: "store.visited", memberId: members[i % 30] })));
    expect(res.map((r) => r.statusCode).every((s) => s === 201)).toBe(true);
    expect(new Set(res.map((r) => r.json().eventId)).size).toBe(300);
    const awarded = res.reduce((sum, r) => sum + (r.json().awards as Array<{ points: number }>).reduce((s, a) => s + a.points, 0), 0);
    expect(awarded).toBe(30 * (5 * 10 + 100));
    for (const m of members) expect((await call(t.app, "GET", `/v1/members/${m}`, { key: store.adminKey })).json().balance).toBe(150);
  });

  it("the same event sent twice at once is recorded once (201 then a 200 replay); another body under its id is 409", async () => {
    const body = { id: "twice", type: "store.visited", memberId: "w1" };
    const [a, b, c] = await Promise.all([send(body), send(body), send({ ...body, memberId: "w2" })]);
    const statuses = [a!.statusCode, b!.statusCode].sort();
    expect(statuses).toEqual([200, 201]);
    expect(a!.json()).toEqual(b!.json());
    expect(c!.statusCode).toBe(409);
    expect((await call(t.app, "GET", "/v1/members/w1", { key: store.adminKey })).json().balance).toBe(110);
  });

  it("one refused event among many concurrent ones is refused alone", async () => {
    const res = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      send({ id: `mix-${i}`, type: "store.visited", memberId: `x${i}`, ...(i === 7 ? { occurredAt: "2030-01-01T00:00:00Z" } : {}) })));
    expect(res.map((r) => r.statusCode)).toEqual(res.map((_, i) => (i === 7 ? 422 : 201)));
    expect(res[7]!.json().code).toBe("occurred_in_future");
  });
});
