import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/http/app.ts";
import { simulationJobs } from "../../src/jobs/simulations.ts";
import { replayInThread } from "../../src/jobs/simulation-replay.ts";
import type { ReplayRunner } from "../../src/services/simulation/report.ts";
import { call, createTestStore, OPERATOR_TOKEN, startTestApp, type TestApp, type TestStore } from "../support/app.ts";
import { applyPreset, loadPreset } from "../support/presets.ts";

/** The simulator and the assistant over HTTP (SPEC §8), on the member-points preset with a few months of orders. */
describe("simulations and the assistant over HTTP", () => {
  let t: TestApp;
  let store: TestStore;
  let viewer: string;
  const post = (url: string, body: unknown, key = store.adminKey, headers: Record<string, string> = {}) => call(t.app, "POST", url, { key, body, headers });
  const get = (url: string, key = store.adminKey) => call(t.app, "GET", url, { key });
  const put = (url: string, body: unknown) => call(t.app, "PUT", url, { key: store.adminKey, body });

  /** Polls until the simulation has finished. */
  const finished = async (id: string) => {
    for (let i = 0; i < 600; i++) {
      const res = await get(`/v1/simulations/${id}`);
      expect(res.statusCode, res.body).toBe(200);
      if (res.json().status !== "running") return res.json();
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the simulation did not finish");
  };

  beforeAll(async () => {
    // Replays in worker threads, as a server runs them.
    t = await startTestApp(undefined, { replayInWorkers: true });
    store = await createTestStore(t.app, { timezone: "Asia/Taipei", currency: "TWD", clock: "2026-01-01T00:00:00Z" });
    await applyPreset(t.app, store.adminKey, "member-points");
    viewer = await store.key("viewer");
    const cashback = ((await get("/v1/redeem-methods")).json().data as Array<{ id: string; type: string }>).find((m) => m.type === "cashback")!;
    // Four months: ten members each order monthly, delivered at once (credited 3 days later); from
    // the second month on, three of them spend 100 points at checkout on their order.
    for (let month = 0; month < 4; month++) {
      const at = new Date(Date.UTC(2026, month, 10, 4)).toISOString();
      expect((await post("/v1/clock/advance", { to: at })).statusCode).toBe(200);
      for (let m = 0; m < 3 && month > 0; m++) {
        const cart = { lines: [{ sku: "tea", quantity: 1, amount: 300_000 }], discounts: 0, credits: 0, shipping: 0 };
        const held = await post("/v1/redemptions", { memberId: `m${m}`, methodId: cashback.id, points: 100, orderId: `o-${month}-${m}`, cart });
        expect(held.statusCode, held.body).toBe(201);
        expect((await post(`/v1/redemptions/${held.json().id}/capture`, undefined)).statusCode).toBe(200);
      }
      for (let m = 0; m < 10; m++) {
        const res = await put(`/v1/orders/o-${month}-${m}`, { memberId: `m${m}`, lines: [{ sku: "tea", quantity: 1, amount: 300_000 + m * 50_000 }], placedAt: at, paidAt: at, deliveredAt: at });
        expect(res.statusCode, res.body).toBe(200);
      }
    }
    expect((await post("/v1/clock/advance", { to: "2026-05-20T04:00:00Z" })).statusCode).toBe(200);
  });
  afterAll(async () => t.close());

  it("halving the earn rate lowers liability and cost share, month by month, beside the ledger's own figures for the current program", async () => {
    const candidate = loadPreset("member-points") as { earnRules: Array<{ award: { per: number } }> };
    candidate.earnRules.forEach((r) => { if (r.award.per) r.award.per *= 2; });
    const started = await post("/v1/simulations", { candidate, from: "2026-01-01", to: "2026-05-20" });
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json()).toMatchObject({ status: "running" });
    const sim = await finished(started.json().id);
    expect(sim.status, sim.error).toBe("done");
    expect(sim.progress).toBe(1);
    // Started and finished on the server's clock, not on the sandbox's (which stands at 2026-05-20).
    expect([sim.createdAt, sim.finishedAt]).toEqual([t.clock.now().toISOString(), t.clock.now().toISOString()]);
    // A store without tiers, members spending as they did, a period to today: its ledger has the current program's figures.
    expect(sim.currentFrom).toBe("ledger");
    expect(sim.reproduced).toBeNull();
    const dashboard = (await get("/v1/dashboard?months=6")).json();
    const real = new Map(dashboard.months.map((m: { month: string; issued: number; outstanding: number }) => [m.month, m]));
    for (const m of sim.current.months) expect({ issued: m.issued, outstanding: m.outstanding }).toEqual({ issued: (real.get(m.month) as { issued: number }).issued, outstanding: (real.get(m.month) as { outstanding: number }).outstanding });
    expect(sim.candidate.totals.issued).toBeGreaterThan(0);
    expect(sim.candidate.totals.issued).toBeLessThan(sim.current.totals.issued);
    for (let i = 0; i < sim.current.months.length; i++) {
      const [cur, cand] = [sim.current.months[i], sim.candidate.months[i]];
      if (cur.issued === 0) continue;
      expect(cand.liability).toBeLessThan(cur.liability);
      expect(cand.costShare).toBeLessThan(cur.costShare);
    }
    // Nothing was written to the store's own ledger.
    expect((await get("/v1/dashboard?months=6")).json()).toEqual(dashboard);
    const list = await get("/v1/simulations");
    expect(list.json().data[0]).toMatchObject({ id: sim.id, status: "done" });
  });

  it("refuses bad input with the field named, and staff below admin", async () => {
    const bad = await post("/v1/simulations", { candidate: { settings: {}, earnRules: [{ name: "x", event: "order", award: { type: "fixed", points: -1 } }] }, from: "2026-01-01", to: "2026-02-01" });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.some((e: { path: string }) => e.path.startsWith("candidate.earnRules.0"))).toBe(true);
    const backwards = await post("/v1/simulations", { candidate: loadPreset("member-points"), from: "2026-03-01", to: "2026-02-01" });
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json().errors[0].path).toBe("to");
    expect((await post("/v1/simulations", { candidate: loadPreset("member-points"), from: "2026-01-01", to: "2026-02-01" }, viewer)).statusCode).toBe(403);
    expect((await get("/v1/simulations/sim_nope")).statusCode).toBe(404);
  });

  it("the assistant proposes toward a target, applies one (audited), then waits seven days", async () => {
    // Half of what the program costs today (the first test's simulation says what that is).
    const last = (await get("/v1/simulations")).json().data[0] as { id: string };
    const today = (await get(`/v1/simulations/${last.id}`)).json().current.totals.costShare as number;
    const res = await post("/v1/assistant/proposals", { targetCostShare: today / 2 });
    expect(res.statusCode, res.body).toBe(201);
    const proposals = res.json().proposals as Array<{ id: string; summary: string; explanation: string; simulation: { id: string; status: string; createdAt: string; current: { totals: { costShare: number } }; candidate: { totals: { costShare: number } } } }>;
    expect(proposals.length).toBeGreaterThanOrEqual(2);
    for (const p of proposals.slice(0, 2)) {
      expect(p.explanation.length).toBeGreaterThan(40);
      // A small store's simulations are done within the assistant's wait: the figures come with the proposals.
      expect(p.simulation.status).toBe("done");
      expect(p.simulation.createdAt).toBe(t.clock.now().toISOString());
      expect((await get(`/v1/simulations/${p.simulation.id}`)).json().candidate.totals).toEqual(p.simulation.candidate.totals);
      expect(p.simulation.candidate.totals.costShare).toBeLessThan(p.simulation.current.totals.costShare);
    }
    const applied = await post(`/v1/assistant/proposals/${proposals[0]!.id}/apply`, undefined);
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json().proposalId).toBe(proposals[0]!.id);
    const audit = (await get("/v1/audit-log?limit=50")).json().data as Array<{ action: string; actor: string }>;
    const session = (await get("/v1/session")).json();
    expect(audit.find((a) => a.action === "assistant.applied")?.actor).toBe(session.key.id);
    const again = await post(`/v1/assistant/proposals/${proposals[1]!.id}/apply`, undefined);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: "assistant_cooldown" });
    expect(again.json().retryAfter).toBeGreaterThan(6 * 86_400);
    // Seven days later on the store's clock, it may be used again.
    expect((await post("/v1/clock/advance", { to: "2026-05-27T04:00:01Z" })).statusCode).toBe(200);
    expect((await post(`/v1/assistant/proposals/${proposals[1]!.id}/apply`, undefined)).statusCode).toBe(200);
  });

  it("proposals whose simulations outlast the assistant's wait come back running, and are followed to their figures at GET /v1/simulations/{id}", async () => {
    // A second server on the same database: it answers at once, and its replays wait for the test.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let runner: ReplayRunner = async (history, runs, progress) => {
      await held;
      return replayInThread(history, runs, progress);
    };
    const jobs = simulationJobs(t.services, (history, runs, progress) => runner(history, runs, progress));
    const app = await buildApp({ services: t.services, operatorToken: OPERATOR_TOKEN, ping: async () => undefined, rateLimitPerSecond: 0, simulations: jobs, assistantWaitMs: 0 });
    try {
      // The store has no tiers: the drafts' baseline is the ledger's, so only the proposals' own simulations replay.
      const res = await call(app, "POST", "/v1/assistant/proposals", { key: store.adminKey, body: { targetCostShare: 0.005 } });
      expect(res.statusCode, res.body).toBe(201);
      const proposals = res.json().proposals as Array<{ id: string; document: unknown; simulation: { id: string; status: string; progress: number; current?: unknown } }>;
      expect(proposals.length).toBeGreaterThan(0);
      for (const p of proposals) {
        expect(p.simulation).toMatchObject({ status: "running", progress: 0 });
        expect(p.simulation.current).toBeUndefined();
        // The simulation is a recorded one, of the proposal's document.
        const recorded = (await get(`/v1/simulations/${p.simulation.id}`)).json();
        expect(recorded.status).toBe("running");
        expect(recorded.input.candidate).toEqual(p.document);
      }
      // Listed with the store's other simulations.
      const listed = ((await get("/v1/simulations?limit=100")).json().data as Array<{ id: string }>).map((s) => s.id);
      for (const p of proposals) expect(listed).toContain(p.simulation.id);
      release();
      await jobs.idle();
      for (const p of proposals) {
        const sim = await finished(p.simulation.id);
        expect(sim.status, sim.error).toBe("done");
        expect(sim.progress).toBe(1);
        expect(sim.candidate.totals.issued).toBeGreaterThan(0);
        expect(sim.current.totals.issued).toBeGreaterThan(0);
      }
      // Should their replays fail, every one of the proposals' simulations says so.
      runner = async () => {
        throw new Error("the replay broke");
      };
      const broken = await call(app, "POST", "/v1/assistant/proposals", { key: store.adminKey, body: { targetCostShare: 0.005 } });
      expect(broken.statusCode, broken.body).toBe(201);
      await jobs.idle();
      for (const p of broken.json().proposals as Array<{ simulation: { id: string } }>) {
        expect(await finished(p.simulation.id)).toMatchObject({ status: "failed", error: "the replay broke" });
      }
    } finally {
      release();
      await jobs.idle();
      await app.close();
    }
  });
});
