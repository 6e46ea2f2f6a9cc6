import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayInThread } from "../../src/jobs/simulation-replay.ts";
import type { ReplayRunner } from "../../src/services/simulation/report.ts";
import { call, createTestStore, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { applyPreset, loadPreset } from "../support/presets.ts";

/**
 * A running simulation says how far it has got (SPEC §8, GET /v1/simulations/{id}): the replay's
 * share of inputs done, written as it goes. The replay here is the real one, held at a gate after
 * telling a first share, so the test reads the simulation while it runs, then lets it finish.
 */
describe("a simulation's progress", () => {
  let t: TestApp;
  let store: TestStore;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held: ReplayRunner = async (history, runs, progress) => {
    progress?.(0.25);
    await gate;
    // The real replay then tells its own shares, from 0: what was written is never moved back.
    return replayInThread(history, runs, progress);
  };
  const get = (url: string) => call(t.app, "GET", url, { key: store.adminKey });

  beforeAll(async () => {
    t = await startTestApp(undefined, { replay: held });
    store = await createTestStore(t.app, { timezone: "Europe/Berlin", currency: "EUR", clock: "2026-01-05T09:00:00Z" });
    await applyPreset(t.app, store.adminKey, "member-points");
    for (let m = 0; m < 5; m++) {
      const at = "2026-01-05T09:00:00Z";
      const res = await call(t.app, "PUT", `/v1/orders/o-${m}`, { key: store.adminKey, body: { memberId: `m${m}`, lines: [{ sku: "tea", quantity: 1, amount: 4_000 + m * 1_000 }], placedAt: at, paidAt: at, deliveredAt: at } });
      expect(res.statusCode, res.body).toBe(200);
    }
    expect((await call(t.app, "POST", "/v1/clock/advance", { key: store.adminKey, body: { to: "2026-02-20T09:00:00Z" } })).statusCode).toBe(200);
  });
  afterAll(async () => {
    release();
    await t.close();
  });

  it("is the share replayed while it runs, and 1 once done", async () => {
    const started = await call(t.app, "POST", "/v1/simulations", { key: store.adminKey, body: { candidate: loadPreset("member-points"), from: "2026-01-01", to: "2026-02-20" } });
    expect(started.statusCode, started.body).toBe(202);
    const id = started.json().id as string;
    await expect.poll(async () => (await get(`/v1/simulations/${id}`)).json().progress, { timeout: 30_000 }).toBe(0.25);
    const running = (await get(`/v1/simulations/${id}`)).json();
    expect(running).toMatchObject({ status: "running", progress: 0.25, finishedAt: null });
    expect(running.current).toBeUndefined();
    // The list says it too.
    expect((await get("/v1/simulations")).json().data[0]).toMatchObject({ id, status: "running", progress: 0.25 });

    release();
    await expect.poll(async () => (await get(`/v1/simulations/${id}`)).json().status, { timeout: 60_000 }).toBe("done");
    const done = (await get(`/v1/simulations/${id}`)).json();
    expect(done.progress).toBe(1);
    expect(done.candidate.totals.issued).toBeGreaterThan(0);
  }, 90_000);
});
