import { describe, expect, it } from "vitest";
import type { Actor } from "../../src/services/context.ts";
import { adjustMember } from "../../src/services/adjustments.ts";
import { createMethod, deleteMethod } from "../../src/services/redeem-methods.ts";
import { finishRedemption, redeem } from "../../src/services/redemptions.ts";
import { createStore } from "../../src/services/stores.ts";
import { exportProgram } from "../../src/services/program-document.ts";
import { loadHistory } from "../../src/services/simulation/load.ts";
import { simulateLoaded } from "../../src/services/simulation/report.ts";
import { replayInThread } from "../../src/jobs/simulation-replay.ts";
import { programDocumentSchema } from "../../src/core/program/document.ts";
import { memoryTransactor } from "../../src/storage/memory/transactor.ts";
import { TestClock } from "../support/clock.ts";

const ADMIN: Actor = { id: "admin", role: "admin" };

/**
 * The current program's cash value is the store's cashback rate now: a method the store deleted
 * is kept in the history only for the redemptions that named it.
 */
describe("the current program's cash value", () => {
  it("leaves out a deleted cashback method, which the replay still spends through", async () => {
    const services = { tx: memoryTransactor(), clock: new TestClock(new Date("2026-03-01T12:00:00Z")) };
    const { store } = await createStore(services, { name: "Cash", currency: "USD", timezone: "UTC", sandbox: false }, ADMIN);
    const method = await services.tx.run((repos) => createMethod(repos, services, store.id, { type: "cashback", name: "Cash", points: 10, amount: 100 } as never, ADMIN));
    await services.tx.run((repos) => adjustMember(repos, services, store.id, "m1", { points: 500, reason: "welcome" }, ADMIN));
    services.clock.set("2026-03-02T12:00:00Z");
    const cart = { lines: [{ sku: "tea", quantity: 1, amount: 50_000 }], discounts: 0, credits: 0, shipping: 0 };
    const held = await services.tx.run((repos) => redeem(repos, services, store.id, { memberId: "m1", methodId: method.id, channel: "online", points: 200, orderId: "o1", cart }, ADMIN));
    await services.tx.run((repos) => finishRedemption(repos, services, store.id, held.id, "capture", ADMIN));
    services.clock.set("2026-03-03T12:00:00Z");
    await deleteMethod(services, store.id, method.id, ADMIN);

    const loaded = await loadHistory(services, store.id);
    expect(loaded.history.redeemMethods.map((m) => [m.id, m.deletedAt !== null])).toEqual([[method.id, true]]);
    const candidate = programDocumentSchema.parse({ ...(await exportProgram(services, store.id)), redeemMethods: [{ type: "cashback", name: "New cash", points: 20, amount: 100 }] });
    const report = await simulateLoaded(loaded, { candidate, from: new Date("2026-03-01T00:00:00Z"), to: loaded.now, redemptionRate: null, replayCurrent: true }, replayInThread);

    expect(report.current.cashValue).toBeNull();
    expect(report.current.totals.liability).toBeNull();
    expect(report.candidate.cashValue).toEqual({ points: 20, amount: 100 });
    // The recorded redemption went through the deleted method in the replay too.
    expect(report.current.totals.redeemed).toBe(200);
    expect(report.current.skipped.redemptions).toBe(0);
    expect(report.reproduced).toBe(true);
  });
});
