/**
 * `verifyLedger` (SPEC §3 Ledger invariants, `pointbook verify`): clean on a healthy ledger, and a
 * row changed behind the ledger's back is reported with the figures on both sides. The tampering
 * happens in a store of this test's own and is undone in `finally`: the shared PostgreSQL database
 * is verified after the suite and must be left clean.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adjustMember } from "../../src/services/adjustments.ts";
import { awardPoints, reversePoints } from "../../src/services/awards.ts";
import type { Actor, Services } from "../../src/services/context.ts";
import { advanceClock } from "../../src/services/due-work.ts";
import { createMethod } from "../../src/services/redeem-methods.ts";
import { finishRedemption, redeem } from "../../src/services/redemptions.ts";
import { createStore } from "../../src/services/stores.ts";
import { patchProgram } from "../../src/services/program.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { verifyLedger, type Discrepancy } from "../../src/storage/verify.ts";
import { TestClock } from "../support/clock.ts";
import { kindsUnderTest, openTestDatabase } from "../support/db.ts";

const STAFF: Actor = { id: "staff", role: "admin" };
const OPERATOR: Actor = { id: "test", role: "operator" };
const sortChecks = (ds: Discrepancy[]) => [...ds].sort((a, b) => (a.check < b.check ? -1 : a.check > b.check ? 1 : 0));

for (const kind of kindsUnderTest()) {
  describe(kind, () => {
    let db: Database;
    let services: Services;
    let storeId: string;

    beforeAll(async () => {
      db = await openTestDatabase(kind);
      services = { tx: transactor(db), clock: new TestClock() };
      storeId = (await createStore(services, { name: "Verify test", currency: "USD", timezone: "UTC", sandbox: true, clock: new Date("2026-01-15T12:00:00Z") }, OPERATOR)).store.id;
      await patchProgram(services, storeId, { validity: { type: "rolling", days: 10 } }, STAFF);
      const tx = services.tx;
      // A ledger with every kind of movement: earn, pending, redeem, hold + capture, hold + release,
      // reverse into debt, expiry.
      await tx.run((repos) => adjustMember(repos, services, storeId, "healthy", { points: 500, reason: "welcome" }, STAFF));
      await tx.run((repos) => awardPoints(repos, services, storeId, {
        memberId: "healthy", points: 70, earnedAt: new Date("2026-01-15T12:00:00Z"), availableAt: new Date("2026-01-18T12:00:00Z"),
        validity: { type: "never" }, source: { type: "event", ref: "evt_1" },
      }, STAFF));
      const catalog = await tx.run((repos) => createMethod(repos, services, storeId, { type: "catalog", name: "Pack", points: 120, channels: ["online"], enabled: true, grant: { sku: "pack", units: 1, validDays: null } }, STAFF));
      const cashback = await tx.run((repos) => createMethod(repos, services, storeId, { type: "cashback", name: "Cashback", points: 10, amount: 100, channels: ["online"], enabled: true, stackWithDiscounts: true }, STAFF));
      await tx.run((repos) => redeem(repos, services, storeId, { memberId: "healthy", methodId: catalog.id }, STAFF));
      const captured = await tx.run((repos) => redeem(repos, services, storeId, { memberId: "healthy", methodId: cashback.id, points: 100, orderId: "o-captured", cart: { lines: [{ sku: "a", quantity: 1, amount: 10_000 }], discounts: 0, credits: 0, shipping: 0 } }, STAFF));
      const released = await tx.run((repos) => redeem(repos, services, storeId, { memberId: "healthy", methodId: cashback.id, points: 50, orderId: "o-released", cart: { lines: [{ sku: "a", quantity: 1, amount: 10_000 }], discounts: 0, credits: 0, shipping: 0 } }, STAFF));
      await tx.run((repos) => finishRedemption(repos, services, storeId, captured.id, "capture", STAFF));
      await tx.run((repos) => finishRedemption(repos, services, storeId, released.id, "release", STAFF));

      const award = await tx.run((repos) => adjustMember(repos, services, storeId, "debtor", { points: 40, reason: "gift" }, STAFF));
      await tx.run((repos) => reversePoints(repos, services, storeId, { memberId: "debtor", points: 100, lotId: award.lotId ?? undefined, source: { type: "order", ref: "ord_1" }, reason: "refund" }, STAFF));
      // The 70 pending points mature on the 18th; the 280 left of the welcome lot expire on the 25th.
      await advanceClock(services, storeId, new Date("2026-01-30T12:00:00Z"));
      await tx.run((repos) => redeem(repos, services, storeId, { memberId: "healthy", methodId: cashback.id, points: 30, orderId: "o-open", cart: { lines: [{ sku: "a", quantity: 1, amount: 10_000 }], discounts: 0, credits: 0, shipping: 0 } }, STAFF)); // left open
    });
    afterAll(async () => db.close());

    const balances = (memberId: string) =>
      db.query<{ balance: number; pending: number; held: number; debt: number }>(
        "SELECT balance, pending, held, debt FROM members WHERE store_id = $1 AND member_id = $2", [storeId, memberId]);

    it("a healthy ledger has no discrepancies", async () => {
      expect(await balances("healthy")).toEqual([{ balance: 40, pending: 0, held: 30, debt: 0 }]);
      expect(await balances("debtor")).toEqual([{ balance: -60, pending: 0, held: 0, debt: 60 }]);
      const types = await db.query<{ type: string }>("SELECT DISTINCT type FROM entries WHERE store_id = $1 ORDER BY type", [storeId]);
      expect(types.map((t) => t.type)).toEqual(["adjust", "capture", "expire", "hold", "mature", "pending", "redeem", "release", "reverse"]);
      expect(await verifyLedger(db, storeId)).toEqual([]);
      if (kind === "pglite") expect(await verifyLedger(db)).toEqual([]); // PGlite is this file's alone
    });

    it("reports a members.balance changed by SQL, and is clean again once it is repaired", async () => {
      await db.query("UPDATE members SET balance = balance + 5 WHERE store_id = $1 AND member_id = 'healthy'", [storeId]);
      try {
        const found = sortChecks(await verifyLedger(db, storeId));
        expect(found).toEqual([
          { storeId, memberId: "healthy", check: "balance = remaining of available lots - debt", expected: 45, actual: 40 },
          { storeId, memberId: "healthy", check: "balance = sum of entry deltas", expected: 45, actual: 40 },
          { storeId, memberId: "healthy", check: "issued = outstanding + pending + held + redeemed + expired + reversed + deducted", expected: 570, actual: 575 },
        ]);
      } finally {
        await db.query("UPDATE members SET balance = balance - 5 WHERE store_id = $1 AND member_id = 'healthy'", [storeId]);
      }
      expect(await verifyLedger(db, storeId)).toEqual([]);
    });

    it("reports a lots.remaining changed by SQL, naming the lot, and is clean again once it is repaired", async () => {
      const [lot] = await db.query<{ id: string; remaining: number }>(
        "SELECT id, remaining FROM lots WHERE store_id = $1 AND member_id = 'healthy' AND status = 'available' AND remaining > 0", [storeId]);
      expect(lot).toEqual({ id: expect.any(String), remaining: 40 });
      await db.query("UPDATE lots SET remaining = remaining - 7 WHERE store_id = $1 AND id = $2", [storeId, lot!.id]);
      try {
        const found = sortChecks(await verifyLedger(db, storeId));
        expect(found).toEqual([
          { storeId, memberId: "healthy", check: "balance = remaining of available lots - debt", expected: 40, actual: 33 },
          { storeId, memberId: "healthy", check: "lot remaining = points - allocations", expected: 40, actual: 33, detail: lot!.id },
        ]);
      } finally {
        await db.query("UPDATE lots SET remaining = remaining + 7 WHERE store_id = $1 AND id = $2", [storeId, lot!.id]);
      }
      expect(await verifyLedger(db, storeId)).toEqual([]);
    });

    it("reports held, pending, debt and sequence drift", async () => {
      await db.query("UPDATE members SET held = held + 1, seq = seq + 1 WHERE store_id = $1 AND member_id = 'healthy'", [storeId]);
      await db.query("UPDATE members SET debt = debt - 10 WHERE store_id = $1 AND member_id = 'debtor'", [storeId]);
      try {
        const found = sortChecks(await verifyLedger(db, storeId)).map((f) => [f.memberId, f.check, f.expected, f.actual]);
        expect(found).toEqual([
          ["debtor", "balance = remaining of available lots - debt", -60, -50],
          ["healthy", "entry sequence has no gaps", 11, 10],
          ["healthy", "held = points of open holds", 31, 30],
          ["healthy", "issued = outstanding + pending + held + redeemed + expired + reversed + deducted", 570, 571],
        ]);
      } finally {
        await db.query("UPDATE members SET held = held - 1, seq = seq - 1 WHERE store_id = $1 AND member_id = 'healthy'", [storeId]);
        await db.query("UPDATE members SET debt = debt + 10 WHERE store_id = $1 AND member_id = 'debtor'", [storeId]);
      }
      expect(await verifyLedger(db, storeId)).toEqual([]);
    });

    it("reports an entry whose balanceAfter breaks the running sum", async () => {
      const [entry] = await db.query<{ id: string; balance_after: number }>(
        "SELECT id, balance_after FROM entries WHERE store_id = $1 AND member_id = 'debtor' AND seq = 1", [storeId]);
      await db.query("UPDATE entries SET balance_after = balance_after + 3 WHERE store_id = $1 AND id = $2", [storeId, entry!.id]);
      try {
        expect(await verifyLedger(db, storeId)).toEqual([
          { storeId, memberId: "debtor", check: "entry balanceAfter = running sum of deltas", expected: 40, actual: 43, detail: entry!.id },
        ]);
      } finally {
        await db.query("UPDATE entries SET balance_after = balance_after - 3 WHERE store_id = $1 AND id = $2", [storeId, entry!.id]);
      }
      expect(await verifyLedger(db, storeId)).toEqual([]);
    });
  });
}
