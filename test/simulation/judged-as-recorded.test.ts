import { describe, expect, it } from "vitest";
import type { Actor } from "../../src/services/context.ts";
import { adjustMember } from "../../src/services/adjustments.ts";
import { createMethod } from "../../src/services/redeem-methods.ts";
import { finishRedemption, redeem } from "../../src/services/redemptions.ts";
import { createStore } from "../../src/services/stores.ts";
import { createRule } from "../../src/services/earn-rules.ts";
import { upsertMember } from "../../src/services/members.ts";
import { recordEvents } from "../../src/services/record-events.ts";
import { earnRuleSchema } from "../../src/core/rules/schema.ts";
import { exportProgram } from "../../src/services/program-document.ts";
import { loadHistory } from "../../src/services/simulation/load.ts";
import { simulateLoaded } from "../../src/services/simulation/report.ts";
import { replayInThread } from "../../src/jobs/simulation-replay.ts";
import { programDocumentSchema, type ProgramDocument } from "../../src/core/program/document.ts";
import type { Transactor } from "../../src/core/ports/repositories.ts";
import { memoryTransactor } from "../../src/storage/memory/transactor.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { openTestDatabase } from "../support/db.ts";
import { TestClock } from "../support/clock.ts";

const ADMIN: Actor = { id: "admin", role: "admin" };

/**
 * Inputs are replayed as the store judged them: a redemption through the channel it came from,
 * and at checkout on the cart it carried when its order was not recorded; an event with its member
 * as the rules saw them then (the store keeps all three).
 */
describe("inputs replayed as they were judged", () => {
  async function storeWithCheckouts(tx: Transactor = memoryTransactor()) {
    const services = { tx, clock: new TestClock(new Date("2026-03-01T12:00:00Z")) };
    const { store } = await createStore(services, { name: "Tea", currency: "USD", timezone: "UTC", sandbox: false }, ADMIN);
    await services.tx.run((repos) => createMethod(repos, services, store.id, { type: "cashback", name: "Cash", points: 10, amount: 100, channels: ["online", "store"] } as never, ADMIN));
    for (const m of ["m1", "m2"]) await services.tx.run((repos) => adjustMember(repos, services, store.id, m, { points: 1_000, reason: "welcome" }, ADMIN));
    const methodId = (await exportProgram(services, store.id) as { redeemMethods: Array<{ id: string }> }).redeemMethods[0]!.id;
    // Two checkouts of $500.00 whose orders the store never recorded: one at the till, one online.
    const cart = { lines: [{ sku: "tea", quantity: 1, amount: 50_000 }], discounts: 0, credits: 0, shipping: 0 };
    for (const [memberId, channel] of [["m1", "store"], ["m2", "online"]] as const) {
      services.clock.set(memberId === "m1" ? "2026-03-02T12:00:00Z" : "2026-03-03T12:00:00Z");
      const held = await services.tx.run((repos) => redeem(repos, services, store.id, { memberId, methodId, channel, points: 200, orderId: `o-${memberId}`, cart }, ADMIN));
      await services.tx.run((repos) => finishRedemption(repos, services, store.id, held.id, "capture", ADMIN));
    }
    services.clock.set("2026-03-10T12:00:00Z");
    const current = programDocumentSchema.parse(await exportProgram(services, store.id));
    return { loaded: await loadHistory(services, store.id), current, cart };
  }

  const withCashback = (doc: ProgramDocument, change: Record<string, unknown>) =>
    programDocumentSchema.parse({ ...doc, redeemMethods: doc.redeemMethods.map((m) => ({ ...(m as Record<string, unknown>), ...change })) });

  it("keeps each redemption's channel and cart in the history, in memory and in the database", async () => {
    const db = await openTestDatabase();
    try {
      for (const tx of [memoryTransactor(), transactor(db)]) {
        const { loaded, cart } = await storeWithCheckouts(tx);
        expect(loaded.history.redemptions.map((r) => [r.memberId, r.channel, r.cart])).toEqual([["m1", "store", cart], ["m2", "online", cart]]);
      }
    } finally {
      await db.close();
    }
  });

  it("a method offered only in store takes the redemption made in store and refuses the one made online", async () => {
    const { loaded, current } = await storeWithCheckouts();
    const candidate = withCashback(current, { channels: ["store"] });
    const report = await simulateLoaded(loaded, { candidate, from: new Date("2026-03-01T00:00:00Z"), to: loaded.now, redemptionRate: null, replayCurrent: true }, replayInThread);
    expect(report.reproduced).toBe(true);
    expect(report.current.totals.redeemed).toBe(400);
    expect(report.candidate.totals.redeemed).toBe(200);
    expect(report.candidate.skipped.redemptions).toBe(1);
  });

  it("a cap on the discount is judged on the cart the checkout carried", async () => {
    const { loaded, current } = await storeWithCheckouts();
    // At most 1 % of $500.00 off: $5.00, which is 50 points at 10 points = $1.00.
    const candidate = withCashback(current, { maxDiscount: { type: "percent", percent: 1 } });
    const report = await simulateLoaded(loaded, { candidate, from: new Date("2026-03-01T00:00:00Z"), to: loaded.now, redemptionRate: null }, replayInThread);
    expect(report.candidate.totals.redeemed).toBe(100);
    expect(report.candidate.skipped.redemptions).toBe(0);
  });

  it("an event is evaluated with the member's tags and membership as they were when it came, not as they are now (in memory and in the database)", async () => {
    const db = await openTestDatabase();
    try {
      for (const tx of [memoryTransactor(), transactor(db)]) await vipReviews(tx);
    } finally {
      await db.close();
    }
  });

  async function vipReviews(tx: Transactor) {
    const services = { tx, clock: new TestClock(new Date("2026-03-01T12:00:00Z")) };
    const { store } = await createStore(services, { name: "Reviews", currency: "USD", timezone: "UTC", sandbox: false }, ADMIN);
    const rule = earnRuleSchema.parse({
      name: "VIP reviews", event: "review.posted", award: { type: "fixed", points: 50 }, conditions: [{ field: "member.tags", op: "in", value: ["vip"] }],
    });
    await services.tx.run((repos) => createRule(repos, services, store.id, rule, ADMIN));
    const review = async (id: string, at: string) => {
      services.clock.set(at);
      await services.tx.run((repos) => recordEvents(repos, services, store.id, [{ event: { id, type: "review.posted", memberId: "m1", properties: {} }, fingerprint: id }], ADMIN));
    };
    // A VIP's review earns; then the tag is taken away, and a later review does not.
    await upsertMember(services, store.id, "m1", { tags: ["vip"] }, ADMIN);
    await review("e1", "2026-03-02T12:00:00Z");
    services.clock.set("2026-03-03T12:00:00Z");
    await upsertMember(services, store.id, "m1", { tags: [] }, ADMIN);
    await review("e2", "2026-03-04T12:00:00Z");
    services.clock.set("2026-03-10T12:00:00Z");

    const loaded = await loadHistory(services, store.id);
    expect(loaded.history.events.map((e) => [e.id, e.member])).toEqual([["e1", { isMember: true, tags: ["vip"] }], ["e2", { isMember: true, tags: [] }]]);
    const candidate = programDocumentSchema.parse(await exportProgram(services, store.id));
    const report = await simulateLoaded(loaded, { candidate, from: new Date("2026-03-01T00:00:00Z"), to: loaded.now, redemptionRate: null, replayCurrent: true }, replayInThread);
    expect(report.current.totals.issued).toBe(50);
    expect(report.reproduced).toBe(true);
    expect(report.candidate.totals.issued).toBe(50);
  }
});
