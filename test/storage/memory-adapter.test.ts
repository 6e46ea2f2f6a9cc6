/**
 * The in-memory adapter of the storage ports (src/storage/memory): what the ledger model test does
 * not reach — transactions and savepoints rolled back, copies that never alias stored rows,
 * idempotency records, the outbox — and one scenario through the services whose every answer
 * (balances, pages, exports, audit, due work) must be what the SQL adapter answers.
 */
import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { MemberBook } from "../../src/core/ledger/book.ts";
import { orderSchema } from "../../src/core/orders/order.ts";
import type { ExportPage, Repositories } from "../../src/core/ports/repositories.ts";
import { earnRuleSchema } from "../../src/core/rules/schema.ts";
import { tierSchema } from "../../src/core/tiers/schema.ts";
import { adjustMember } from "../../src/services/adjustments.ts";
import { awardPoints, reversePoints } from "../../src/services/awards.ts";
import type { Actor, Services } from "../../src/services/context.ts";
import { advanceClock } from "../../src/services/due-work.ts";
import { createRule } from "../../src/services/earn-rules.ts";
import { getMember, memberActivity } from "../../src/services/members.ts";
import { getOrder, upsertOrder } from "../../src/services/orders.ts";
import { patchProgram } from "../../src/services/program.ts";
import { recordEvents } from "../../src/services/record-events.ts";
import { createMethod } from "../../src/services/redeem-methods.ts";
import { consumeEntitlement, finishRedemption, getRedemption, listEntitlements, redeem } from "../../src/services/redemptions.ts";
import { createStore } from "../../src/services/stores.ts";
import { saveTier } from "../../src/services/tiers.ts";
import { memoryTransactor } from "../../src/storage/memory/transactor.ts";
import { emptyState, emptyTenant, type EntryRow, type MemoryState } from "../../src/storage/memory/state.ts";
import { givenDocuments } from "../../src/storage/memory/values.ts";
import { verifyMemoryLedger } from "../../src/storage/memory/verify.ts";
import { adaptersUnderTest, openAdapter } from "../support/adapters.ts";
import { TestClock } from "../support/clock.ts";
import { outgoing } from "../../src/core/outgoing/events.ts";

/** Outgoing events told apart by a label in their data. */
const marker = (label: string, memberId: string | null = null) => ({ ...outgoing("member.tier_changed", memberId, { from: null, to: label, by: "test" }), occurredAt: new Date("2026-01-15T12:00:00Z") });

const T0 = new Date("2026-01-15T12:00:00.000Z");
const STAFF: Actor = { id: "staff", role: "admin" };
const OPERATOR: Actor = { id: "test", role: "operator" };

/** A sandbox store on a fresh in-memory database. */
async function memoryStore() {
  const tx = memoryTransactor();
  const services: Services = { tx, clock: new TestClock(T0) };
  const { store } = await createStore(services, { name: "Memory", currency: "USD", timezone: "UTC", sandbox: true, clock: T0 }, OPERATOR);
  return { tx, services, storeId: store.id };
}

/** Everything stored, as plain data to compare (how documents are kept is not data). */
const snapshot = ({ documents: _documents, ...stored }: MemoryState) => structuredClone(stored);

/** Opens a member's book under its lock, lets `fn` change it and saves it, in the caller's transaction. */
async function changeBook(repos: Repositories, storeId: string, memberId: string, fn: (book: MemberBook) => void): Promise<MemberBook> {
  await repos.members.ensure(storeId, memberId, T0);
  const l = (await repos.members.lockBooks(storeId, [memberId])).get(memberId)!;
  const book = new MemberBook(l.balance, l.lots, l.holds, "allow_negative");
  fn(book);
  await repos.ledger.save(storeId, [book]);
  return book;
}

const earn = (points: number, expiresAt: Date | null = null) => (book: MemberBook) =>
  void book.credit({ at: T0, actor: "t", source: { type: "adjustment", ref: null }, type: "adjust", points, earnedAt: T0, availableAt: T0, expiresAt });

describe("memory adapter", () => {
  describe("transactions", () => {
    it("a transaction that throws leaves every table as it was", async () => {
      const { tx, storeId } = await memoryStore();
      await tx.run((repos) => changeBook(repos, storeId, "kept", earn(100)));
      const before = snapshot(tx.state);
      await expect(tx.run(async (repos) => {
        await changeBook(repos, storeId, "kept", earn(50));
        await changeBook(repos, storeId, "new", earn(10));
        await repos.members.upsert(storeId, "kept", { email: "k@example.com", tags: ["x"] }, T0);
        await repos.outbox.add(storeId, [marker("kept-1", "kept")]);
        await repos.idempotency.claim(storeId, "request", "k1", "fp", T0, null);
        await repos.stores.update({ ...(await repos.stores.get(storeId))!, name: "renamed" });
        await repos.tiers.upsert(storeId, { code: "gold", name: "Gold", rank: 1, multiplier: 2, qualification: null }, T0);
        throw new Error("boom");
      })).rejects.toThrow("boom");
      expect(snapshot(tx.state)).toEqual(before);
      expect(verifyMemoryLedger(tx.state)).toEqual([]);
    });

    it("a savepoint that throws undoes only its own writes, and the transaction goes on", async () => {
      const { tx, storeId } = await memoryStore();
      await tx.run(async (repos) => {
        await changeBook(repos, storeId, "m", earn(100));
        await expect(repos.savepoint(async () => {
          await changeBook(repos, storeId, "m", earn(7));
          await repos.outbox.add(storeId, [marker("inside", "m")]);
          throw new Error("refused");
        })).rejects.toThrow("refused");
        // Nested savepoints unwind one at a time.
        await repos.savepoint(async () => {
          await changeBook(repos, storeId, "m", earn(1));
          await expect(repos.savepoint(async () => {
            await changeBook(repos, storeId, "m", earn(1000));
            throw new Error("inner");
          })).rejects.toThrow("inner");
        });
        await changeBook(repos, storeId, "m", earn(20));
      });
      const book = await tx.read((repos) => repos.members.readBook(storeId, "m"));
      expect(book!.balance).toEqual({ memberId: "m", balance: 121, pending: 0, held: 0, debt: 0, seq: 3 });
      expect(book!.lots.map((l) => l.points)).toEqual([100, 1, 20]);
      expect([...tx.state.tenants.get(storeId)!.outbox.values()].map((m) => m.topic)).toEqual([]);
      expect(verifyMemoryLedger(tx.state, storeId)).toEqual([]);
    });

    it("a failed statement aborts the transaction as in PostgreSQL: later statements are refused and nothing commits", async () => {
      const { tx, storeId } = await memoryStore();
      const store = (await tx.read((repos) => repos.stores.get(storeId)))!;
      const result = await tx.run(async (repos) => {
        await repos.members.ensure(storeId, "lost", T0);
        const duplicate = await repos.stores.insert(store).then(() => null, (e: { code?: string }) => e.code);
        const after = await repos.members.get(storeId, "lost").then(() => null, (e: { code?: string }) => e.code);
        return { duplicate, after };
      });
      expect(result).toEqual({ duplicate: "23505", after: "25P02" });
      expect(await tx.read((repos) => repos.members.get(storeId, "lost"))).toBeNull();

      // Inside a savepoint the same failure is undone with it, and the transaction carries on.
      await tx.run(async (repos) => {
        await repos.members.ensure(storeId, "kept", T0);
        await expect(repos.savepoint(() => repos.stores.insert(store))).rejects.toMatchObject({ code: "23505" });
        await repos.members.ensure(storeId, "also-kept", T0);
      });
      expect((await tx.read((repos) => repos.tiers.membersToCheck(storeId, true, null, 10)))).toEqual(["also-kept", "kept"]);
    });

    it("refuses what the schema refuses, and the refused transaction leaves nothing", async () => {
      const { tx, storeId } = await memoryStore();
      const before = snapshot(tx.state);
      // A member of a store that does not exist.
      await expect(tx.run((repos) => repos.members.ensure("st_missing", "m", T0))).rejects.toMatchObject({ code: "23503" });
      // More units left than granted; a fraction of a point.
      const entitlement = { id: "etl_1", memberId: "m", redemptionId: "red_1", sku: "s", units: 1, unitsRemaining: 2, expiresAt: null, createdAt: T0 };
      await expect(tx.run((repos) => repos.redemptions.insertEntitlement(storeId, entitlement))).rejects.toMatchObject({ code: "23514" });
      const redemption = {
        id: "red_1", memberId: "m", methodId: "rm_1", type: "catalog", status: "completed" as const, points: 1.5, discount: null, orderId: null,
        holdId: null, entitlementId: null, code: null, returned: 0, channel: "online", cart: null, createdAt: T0, updatedAt: T0,
      };
      await expect(tx.run((repos) => repos.redemptions.insertRedemption(storeId, redemption))).rejects.toMatchObject({ code: "22P02" });
      // The same once key claimed twice.
      const claimOnce = (repos: Repositories) => repos.ruleState.load(storeId, ["m"], ["rule_1"], [], []).then((state) => {
        state.claim({ ruleId: "rule_1", owner: "", key: "friend", memberId: "m" });
        return repos.ruleState.save(storeId, state, null);
      });
      await expect(tx.run(async (repos) => {
        await repos.members.ensure(storeId, "m", T0);
        await claimOnce(repos);
        await claimOnce(repos);
      })).rejects.toMatchObject({ code: "23505" });
      expect(snapshot(tx.state)).toEqual(before);
    });

    it("repositories kept past their transaction refuse to work", async () => {
      const { tx, storeId } = await memoryStore();
      const kept = await tx.run(async (repos) => repos);
      await expect(kept.members.ensure(storeId, "late", T0)).rejects.toMatchObject({ code: "08003" });
      await expect(kept.savepoint(async () => undefined)).rejects.toMatchObject({ code: "08003" });
      expect(await tx.read((repos) => repos.members.get(storeId, "late"))).toBeNull();
    });

    it("a book saved for a member not created yet creates the member, as the SQL's single upsert does", async () => {
      const { tx, storeId } = await memoryStore();
      const ghost = new MemberBook({ memberId: "ghost", balance: 0, pending: 0, held: 0, debt: 0, seq: 0 }, [], [], "allow_negative");
      earn(5)(ghost);
      await tx.run((repos) => repos.ledger.save(storeId, [ghost]));
      expect((await tx.read((repos) => repos.members.readBook(storeId, "ghost")))?.balance).toEqual({ memberId: "ghost", balance: 5, pending: 0, held: 0, debt: 0, seq: 1 });
      expect(verifyMemoryLedger(tx.state, storeId)).toEqual([]);
    });

    it("runs transactions one at a time, in the order they were asked for", async () => {
      const { tx, storeId } = await memoryStore();
      const order: string[] = [];
      await Promise.all(["a", "b", "c"].map((id) => tx.run(async (repos) => {
        order.push(`${id} begins`);
        await repos.members.ensure(storeId, id, T0);
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(`${id} ends`);
      })));
      expect(order).toEqual(["a begins", "a ends", "b begins", "b ends", "c begins", "c ends"]);
    });
  });

  describe("copies", () => {
    // Dates are shared, not copied: nothing changes a Date once made (dates-unchanged.test.ts).
    it("changing what a repository returned, or what was handed to it, never changes the stored rows", async () => {
      const { tx, storeId } = await memoryStore();
      let saved!: MemberBook;
      await tx.run(async (repos) => {
        await repos.members.upsert(storeId, "m", { tags: ["vip"] }, T0);
        saved = await changeBook(repos, storeId, "m", (b) => {
          earn(100, new Date("2026-06-01T00:00:00Z"))(b);
          const held = b.placeHold({ at: T0, actor: "t", source: { type: "redemption", ref: "red_x" }, points: 30, expiresAt: new Date("2026-01-15T12:30:00Z") });
          if (!held.ok) throw new Error("hold refused");
        });
      });
      const before = snapshot(tx.state);

      // The book that was saved keeps changing in memory: nothing reaches the store without `save`.
      const lot = saved.spendable(T0)[0]!;
      lot.remaining = 1;
      lot.source.ref = "changed";

      await tx.run(async (repos) => {
        const loaded = (await repos.members.readBook(storeId, "m"))!;
        loaded.balance.balance = 999;
        loaded.lots[0]!.remaining = 0;
        // A hold's allocations and a member's tags are handed out as stored, frozen (rows.ts): a change in place is refused.
        expect(() => loaded.holds[0]!.allocations.push({ lotId: "lot_x", points: 1 })).toThrow(TypeError);
        expect(() => loaded.member.tags.push("changed")).toThrow(TypeError);
        // A store's record is shared, frozen through (rows.ts): changing it in place is refused.
        const store = (await repos.stores.get(storeId))!;
        expect(() => (store.program.validity = { type: "rolling", days: 1 })).toThrow(TypeError);
        expect(() => (store as { name: string }).name = "changed").toThrow(TypeError);
        const exported = await repos.exports.members(storeId, {}, null, 10);
        (exported.rows[0]!.tags as string[]).push("changed");
        const record = (await repos.members.get(storeId, "m"))!;
        expect(() => record.tags.push("mine")).toThrow(TypeError);
        // A record made anew from it saves as any other.
        await repos.members.upsert(storeId, "m", { tags: [...record.tags] }, T0);
      });
      expect(snapshot(tx.state)).toEqual(before);
      expect(verifyMemoryLedger(tx.state, storeId)).toEqual([]);
    });

    it("hands out an order's documents and its awards' as stored, frozen: a change in place is refused, the stored rows stay", async () => {
      const { tx, services, storeId } = await memoryStore();
      await tx.run((repos) => createRule(repos, services, storeId, earnRuleSchema.parse({
        name: "Purchases", event: "order", award: { type: "per_amount", points: 1, per: 100 },
      }), OPERATOR));
      const order = orderSchema.parse({ memberId: "m", placedAt: "2026-01-15T12:00:00.000Z", paidAt: "2026-01-15T12:00:00.000Z", lines: [{ sku: "tea", quantity: 1, amount: 5_000 }] });
      await tx.run((repos) => upsertOrder(repos, services, storeId, "o1", order, OPERATOR));
      const before = snapshot(tx.state);
      await tx.run(async (repos) => {
        const record = (await repos.orders.get(storeId, "o1"))!;
        expect(() => (record.order.lines as unknown[]).push({ sku: "x", quantity: 1, amount: 1 })).toThrow(TypeError);
        expect(() => ((record.order as { channel: string }).channel = "pos")).toThrow(TypeError);
        const [award] = await repos.orders.awards(storeId, "o1");
        expect(award).toBeDefined();
        expect(() => award!.lotIds.push("lot_x")).toThrow(TypeError);
        // A record made anew from it, with the same documents, saves as any other.
        await repos.orders.save(storeId, { ...record, updatedAt: new Date("2026-01-15T12:30:00Z") });
        await repos.orders.saveAwards(storeId, [{ ...award!, awarded: award!.awarded }], new Date("2026-01-15T12:30:00Z"));
      });
      const after = snapshot(tx.state);
      expect(after).not.toEqual(before); // the order's updatedAt moved
      const t = (s: Omit<MemoryState, "documents">) => s.tenants.get(storeId)!;
      expect(t(after).orders.get("o1")!.body).toEqual(t(before).orders.get("o1")!.body);
      expect([...t(after).awards.get("o1")!.values()].map((a) => [a.lotIds, a.factors, a.explanation]))
        .toEqual([...t(before).awards.get("o1")!.values()].map((a) => [a.lotIds, a.factors, a.explanation]));
    });
  });

  describe("documents kept as given", () => {
    // A replay's scratch ledger (jobs/replay-part.ts): only its own services write and read it.
    it("stores the caller's document itself, hands it back, and still refuses a missing NOT NULL one", async () => {
      const tx = memoryTransactor(emptyState(givenDocuments));
      const services: Services = { tx, clock: new TestClock(T0) };
      const { store } = await createStore(services, { name: "Given", currency: "USD", timezone: "UTC", sandbox: false }, OPERATOR);
      const order = orderSchema.parse({ memberId: "m", placedAt: "2026-01-15T12:00:00.000Z", lines: [{ sku: "tea", quantity: 1, amount: 5_000 }] });
      await tx.run((repos) => upsertOrder(repos, services, store.id, "o1", order, OPERATOR));
      expect(tx.state.tenants.get(store.id)!.orders.get("o1")!.body).toBe(order);
      expect(await tx.run(async (repos) => (await repos.orders.get(store.id, "o1"))!.order)).toBe(order);
      // Normalised as jsonb, the same order is a frozen copy.
      const jsonb = memoryTransactor();
      const normalised = { ...services, tx: jsonb };
      const { store: other } = await createStore(normalised, { name: "Jsonb", currency: "USD", timezone: "UTC", sandbox: false }, OPERATOR);
      await jsonb.run((repos) => upsertOrder(repos, normalised, other.id, "o1", order, OPERATOR));
      const copy = jsonb.state.tenants.get(other.id)!.orders.get("o1")!.body;
      expect(copy).not.toBe(order);
      expect(copy).toEqual(order);
      expect(Object.isFrozen(copy)).toBe(true);
      await expect(tx.run((repos) => repos.redemptions.insertMethod(store.id, { id: "rm_x", type: "cashback", config: null as never, createdAt: T0, updatedAt: T0 })))
        .rejects.toMatchObject({ code: "23502" });
    });
  });

  describe("entries tallied", () => {
    // A replay's scratch ledger (jobs/replay-part.ts, storage/memory/tally.ts): its monthly flows are all it reads of its entries.
    it("gives the monthly flows of entries kept as rows, takes back what a savepoint undoes, and refuses reads of rows", async () => {
      const storeKeeping = async (entries: "rows" | "tallied") => {
        const tx = memoryTransactor(emptyState(givenDocuments, entries));
        const services: Services = { tx, clock: new TestClock(T0) };
        const { store } = await createStore(services, { name: entries, currency: "USD", timezone: "America/New_York", sandbox: true, clock: T0 }, OPERATOR);
        const feb = new Date("2026-02-01T04:59:59.000Z"); // still January in New York
        await tx.run(async (repos) => {
          await changeBook(repos, store.id, "a", earn(100, feb));
          await changeBook(repos, store.id, "b", earn(40));
          await changeBook(repos, store.id, "b", (book) => void book.debit({ at: T0, actor: "t", source: { type: "adjustment", ref: null }, type: "adjust", points: 15 }));
          // Undone: neither a row nor a tally of it stays.
          await expect(repos.savepoint(async () => {
            await changeBook(repos, store.id, "a", earn(1_000));
            throw new Error("refused");
          })).rejects.toThrow("refused");
        });
        await expect(tx.run(async (repos) => {
          await changeBook(repos, store.id, "c", earn(7));
          throw new Error("boom");
        })).rejects.toThrow("boom");
        // Due work expires "a"'s lot at its instant, the last second of January in the store's zone.
        await advanceClock(services, store.id, new Date("2026-03-02T00:00:00.000Z"));
        return { tx, storeId: store.id, flows: await tx.run((repos) => repos.reports.monthlyFlows(store.id, "America/New_York")) };
      };
      const rows = await storeKeeping("rows");
      const tallied = await storeKeeping("tallied");
      expect(rows.flows).toEqual([{ month: "2026-01", issued: 140, redeemed: 0, expired: 100, reversed: 15, outstanding: 25 }]);
      expect(tallied.flows).toEqual(rows.flows);
      expect(tallied.tx.state.tenants.get(tallied.storeId)!.entries.size).toBe(0);
      expect(tallied.tx.state.tenants.get(tallied.storeId)!.allocations.size).toBe(0);
      expect(verifyMemoryLedger(rows.tx.state)).toEqual([]);
      // Rows it does not keep cannot be read: an error, never an empty answer.
      const refused = /only as a tally/;
      expect(() => verifyMemoryLedger(tallied.tx.state)).toThrow(refused);
      await expect(memberActivity({ tx: tallied.tx, clock: new TestClock(T0) }, tallied.storeId, "a", { limit: 10, cursor: null })).rejects.toThrow(refused);
      await expect(tallied.tx.run((repos) => repos.history.inputEntries(tallied.storeId))).rejects.toThrow(refused);
      await expect(tallied.tx.run((repos) => repos.exports.ledger(tallied.storeId, {}, null, 10))).rejects.toThrow(refused);
    });
  });

  describe("monthly flows", () => {
    // Entries are read in the order they were written, which a replay's settling in passing takes
    // back and forth across months: each must still land in its own store-local month.
    it("adds each entry to its store-local month, whatever the order the entries were written in", async () => {
      const types = ["earn", "redeem", "expire", "reverse", "adjust", "capture"] as const;
      const entry = fc.record({
        at: fc.integer({ min: Date.parse("2025-01-01T00:00:00Z"), max: Date.parse("2026-12-31T23:59:59Z") }),
        type: fc.constantFrom(...types),
        points: fc.integer({ min: -500, max: 500 }).filter((p) => p !== 0),
      });
      await fc.assert(fc.asyncProperty(fc.array(entry, { maxLength: 60 }), fc.constantFrom("America/New_York", "Europe/Berlin", "Asia/Kolkata", "UTC"), async (entries, zone) => {
        const state = emptyState();
        const tenant = emptyTenant();
        state.tenants.set("s", tenant);
        entries.forEach((e, i) => tenant.entries.set(`e${i}`, { at: new Date(e.at), type: e.type, points: e.points } as EntryRow));
        const flows = await memoryTransactor(state).run((repos) => repos.reports.monthlyFlows("s", zone));
        // The model: each entry's month from luxon, the sums by type, the balance carried.
        const months = new Map<string, { issued: number; redeemed: number; expired: number; reversed: number }>();
        for (const e of entries) {
          const month = DateTime.fromMillis(e.at, { zone }).toFormat("yyyy-MM");
          const m = months.get(month) ?? { issued: 0, redeemed: 0, expired: 0, reversed: 0 };
          if (e.type === "earn" || (e.type === "adjust" && e.points > 0)) m.issued += e.points;
          else if (e.type === "redeem" || e.type === "capture") m.redeemed -= e.points;
          else if (e.type === "expire") m.expired -= e.points;
          else m.reversed -= e.points;
          months.set(month, m);
        }
        let outstanding = 0;
        const expected = [...months].sort(([a], [b]) => (a < b ? -1 : 1)).map(([month, m]) => {
          outstanding += m.issued - m.redeemed - m.expired - m.reversed;
          return { month, ...m, outstanding };
        });
        expect(flows).toEqual(expected);
      }), { numRuns: 200 });
    });
  });

  describe("idempotency", () => {
    it("claims, completes and replays; an expired key is claimed afresh; released keys are free again", async () => {
      const { tx, storeId } = await memoryStore();
      const refusal = { ok: false as const, error: { code: "insufficient_points" as const, message: "short", details: { available: 3 } } };
      await tx.run(async (repos) => {
        expect(await repos.idempotency.claim(storeId, "request", "k1", "fp1", T0, null)).toBe("claimed");
        // Seen again before completion (only its own transaction can): a record without an outcome, as SQL answers.
        expect(await repos.idempotency.claim(storeId, "request", "k1", "fp1", T0, null)).toEqual({ fingerprint: "fp1", outcome: null });
        await repos.idempotency.complete(storeId, "request", "k1", { ok: true, value: { at: new Date("2026-01-15T12:00:00Z"), n: 1, skip: undefined } });
      });
      await tx.run(async (repos) => {
        // Stored as JSON: dates as text, undefined fields dropped.
        expect(await repos.idempotency.claim(storeId, "request", "k1", "other", T0, null)).toEqual({ fingerprint: "fp1", outcome: { ok: true, value: { at: "2026-01-15T12:00:00.000Z", n: 1 } } });
        expect(await repos.idempotency.claim(storeId, "event", "k1", "fp1", T0, null)).toBe("claimed"); // scopes are separate
        const many = await repos.idempotency.claimMany(storeId, "request", [{ key: "k3", fingerprint: "f3" }, { key: "k1", fingerprint: "f" }, { key: "k2", fingerprint: "f2" }]);
        expect([...many]).toEqual([["k2", "claimed"], ["k3", "claimed"], ["k1", { fingerprint: "fp1", outcome: { ok: true, value: { at: "2026-01-15T12:00:00.000Z", n: 1 } } }]]);
        await repos.idempotency.completeMany(storeId, "request", [{ key: "k2", outcome: refusal }]);
        await repos.idempotency.releaseMany(storeId, "request", ["k3"]);
        await expect(repos.savepoint(() => repos.idempotency.completeMany(storeId, "request", [{ key: "k2", outcome: refusal }, { key: "k2", outcome: refusal }])))
          .rejects.toMatchObject({ code: "21000" });
      });
      await tx.run(async (repos) => {
        expect(await repos.idempotency.claim(storeId, "request", "k2", "f2", T0, null)).toEqual({ fingerprint: "f2", outcome: refusal });
        expect(await repos.idempotency.claim(storeId, "request", "k3", "new", T0, null)).toBe("claimed");
        const later = new Date(T0.getTime() + 1);
        expect(await repos.idempotency.claim(storeId, "request", "k1", "fp9", later, T0)).toMatchObject({ fingerprint: "fp1" }); // not before T0
        expect(await repos.idempotency.claim(storeId, "request", "k1", "fp9", later, later)).toBe("claimed");
      });
    });

    it("purges expired keys of one scope across stores, at most `limit` at a time", async () => {
      const a = await memoryStore();
      const tx = a.tx;
      const other = (await createStore(a.services, { name: "Other", currency: "USD", timezone: "UTC" }, OPERATOR)).store.id;
      const old = new Date("2026-01-01T00:00:00Z");
      await tx.run(async (repos) => {
        for (const storeId of [a.storeId, other]) {
          for (const key of ["x", "y"]) await repos.idempotency.claim(storeId, "request", key, "f", old, null);
          await repos.idempotency.claim(storeId, "request", "fresh", "f", T0, null);
          await repos.idempotency.claim(storeId, "event", "x", "f", old, null);
        }
      });
      expect(await tx.run((repos) => repos.idempotency.purge("request", new Date("2026-01-10T00:00:00Z"), 3))).toBe(3);
      expect(await tx.run((repos) => repos.idempotency.purge("request", new Date("2026-01-10T00:00:00Z"), 3))).toBe(1);
      expect(await tx.run((repos) => repos.idempotency.purge("request", new Date("2026-01-10T00:00:00Z"), 3))).toBe(0);
      for (const storeId of [a.storeId, other]) {
        expect([...tx.state.tenants.get(storeId)!.idempotency.get("request")!.keys()]).toEqual(["fresh"]);
        expect([...tx.state.tenants.get(storeId)!.idempotency.get("event")!.keys()]).toEqual(["x"]);
      }
    });
  });

  describe("outbox", () => {
    it("keeps events in the order they were added and lists them oldest first; a rolled-back transaction adds none", async () => {
      const { tx, storeId } = await memoryStore();
      await tx.run(async (repos) => {
        await repos.outbox.add(storeId, [marker("first", "m1")]);
        await repos.outbox.add(storeId, [marker("second"), marker("third", "m2")]);
        await repos.outbox.add(storeId, []);
        await repos.outbox.add(storeId, [marker("fourth")]);
      });
      await expect(tx.run(async (repos) => {
        await repos.outbox.add(storeId, [marker("lost")]);
        throw new Error("rolled back");
      })).rejects.toThrow();
      const rows = [...tx.state.tenants.get(storeId)!.outbox.values()];
      expect(rows.map((r) => [(r.payload as { to: string }).to, r.memberId, r.seq, r.dispatchedAt])).toEqual([
        ["first", "m1", 1, null],
        ["second", null, 2, null],
        ["third", "m2", 3, null],
        ["fourth", null, 4, null],
      ]);
      const first = await tx.read((repos) => repos.outbox.feed(storeId, { after: null, limit: 2 }));
      expect(first.data.map((e) => (e.data as { to: string }).to)).toEqual(["first", "second"]);
      const rest = await tx.read((repos) => repos.outbox.feed(storeId, { after: first.nextCursor, limit: 2 }));
      expect([rest.data.map((e) => (e.data as { to: string }).to), rest.nextCursor]).toEqual([["third", "fourth"], null]);
      const forM2 = await tx.read((repos) => repos.outbox.feed(storeId, { after: null, memberId: "m2", limit: 10 }));
      expect(forM2.data.map((e) => [e.type, e.storeId, e.memberId])).toEqual([["member.tier_changed", storeId, "m2"]]);
    });
  });

  describe("due-work leases", () => {
    it("one holder at a time: renewed by its holder, free once given up or run out", async () => {
      const { tx, storeId } = await memoryStore();
      const claim = (holder: string, ttlMs = 60_000) => tx.run((repos) => repos.stores.claimDueWork(storeId, holder, ttlMs));
      expect(await claim("a")).toBe(true);
      expect(await claim("b")).toBe(false);
      expect(await claim("a")).toBe(true);
      await tx.run((repos) => repos.stores.releaseDueWork(storeId, "b")); // not b's to give up
      expect(await claim("b")).toBe(false);
      await tx.run((repos) => repos.stores.releaseDueWork(storeId, "a"));
      expect(await claim("b", 0)).toBe(true); // a lease of no time runs out at once
      expect(await claim("a")).toBe(true);
      await expect(tx.run((repos) => repos.stores.claimDueWork("st_missing", "a", 1_000))).rejects.toMatchObject({ code: "23503" });
    });
  });

  describe("verify", () => {
    it("reports rows changed behind the ledger's back, as the SQL verify does", async () => {
      const { tx, storeId } = await memoryStore();
      await tx.run((repos) => changeBook(repos, storeId, "m", earn(40)));
      expect(verifyMemoryLedger(tx.state, storeId)).toEqual([]);
      const t = tx.state.tenants.get(storeId)!;
      const member = t.members.get("m")!;
      t.members.set("m", { ...member, balance: member.balance + 5 });
      const lot = [...t.lots.values()][0]!;
      t.lots.set(lot.id, { ...lot, remaining: lot.remaining - 7 });
      const byCheck = (ds: ReturnType<typeof verifyMemoryLedger>) => [...ds].sort((a, b) => (a.check < b.check ? -1 : a.check > b.check ? 1 : 0));
      expect(byCheck(verifyMemoryLedger(tx.state, storeId))).toEqual([
        { storeId, memberId: "m", check: "balance = remaining of available lots - debt", expected: 45, actual: 33 },
        { storeId, memberId: "m", check: "balance = sum of entry deltas", expected: 45, actual: 40 },
        { storeId, memberId: "m", check: "issued = outstanding + pending + held + redeemed + expired + reversed + deducted", expected: 40, actual: 45 },
        { storeId, memberId: "m", check: "lot remaining = points - allocations", expected: 40, actual: 33, detail: lot.id },
      ]);
    });
  });
});

/**
 * A store's life through the services — rules, events, tiers, adjustments, orders, redemptions
 * (catalog, cashback held, captured and released), reversal into debt, due work — read back
 * through every listing, page and export, with ids numbered in the order they first appear.
 */
async function storeLife(services: Services, verify: (storeId: string) => Promise<unknown>): Promise<unknown> {
  const tx = services.tx;
  const { store } = await createStore(services, { name: "Life", currency: "USD", timezone: "UTC", sandbox: true, clock: T0 }, OPERATOR);
  const storeId = store.id;
  await patchProgram(services, storeId, { validity: { type: "rolling", days: 10 }, expiryReminderDays: 7 }, STAFF);
  await tx.run((repos) => saveTier(repos, services, storeId, tierSchema.parse({
    code: "gold", name: "Gold", rank: 1, multiplier: 2, qualification: { metric: "points_earned", threshold: 10, window: { type: "rolling", days: 30 } },
  }), STAFF, false));
  await tx.run((repos) => createRule(repos, services, storeId, earnRuleSchema.parse({ name: "visit", event: "visit", award: { type: "fixed", points: 5 } }), STAFF));
  await tx.run((repos) => createRule(repos, services, storeId, earnRuleSchema.parse({ name: "Purchases", event: "order", award: { type: "per_amount", points: 1, per: 100 } }), STAFF));
  const visit = (id: string, memberId: string) => ({ event: { id, type: "visit", memberId, properties: {} }, fingerprint: id });
  const events = await tx.run((repos) => recordEvents(repos, services, storeId, [visit("e1", "amy"), visit("e2", "bob"), visit("e1", "amy"), visit("e3", "amy")], STAFF));
  const replay = await tx.run((repos) => recordEvents(repos, services, storeId, [visit("e2", "bob")], STAFF));

  await tx.run((repos) => adjustMember(repos, services, storeId, "healthy", { points: 500, reason: "welcome" }, STAFF));
  await tx.run((repos) => awardPoints(repos, services, storeId, {
    memberId: "healthy", points: 70, earnedAt: T0, availableAt: new Date("2026-01-18T12:00:00Z"), validity: { type: "never" }, source: { type: "event", ref: "evt_1" },
  }, STAFF));
  const catalog = await tx.run((repos) => createMethod(repos, services, storeId, { type: "catalog", name: "Pack", points: 120, channels: ["online"], enabled: true, grant: { sku: "pack", units: 3, validDays: null } }, STAFF));
  const cashback = await tx.run((repos) => createMethod(repos, services, storeId, { type: "cashback", name: "Cashback", points: 10, amount: 100, channels: ["online"], enabled: true, stackWithDiscounts: true }, STAFF));
  const cart = { lines: [{ sku: "a", quantity: 1, amount: 10_000 }], discounts: 0, credits: 0, shipping: 0 };
  const pack = await tx.run((repos) => redeem(repos, services, storeId, { memberId: "healthy", methodId: catalog.id }, STAFF));
  const captured = await tx.run((repos) => redeem(repos, services, storeId, { memberId: "healthy", methodId: cashback.id, points: 100, orderId: "o-captured", cart }, STAFF));
  const released = await tx.run((repos) => redeem(repos, services, storeId, { memberId: "healthy", methodId: cashback.id, points: 50, orderId: "o-released", cart }, STAFF));
  await tx.run((repos) => finishRedemption(repos, services, storeId, captured.id, "capture", STAFF));
  await tx.run((repos) => finishRedemption(repos, services, storeId, released.id, "release", STAFF));
  await tx.run((repos) => consumeEntitlement(repos, services, storeId, pack.entitlement!.id, 2, STAFF));

  const gift = await tx.run((repos) => adjustMember(repos, services, storeId, "debtor", { points: 40, reason: "gift" }, STAFF));
  await tx.run((repos) => reversePoints(repos, services, storeId, { memberId: "debtor", points: 100, lotId: gift.lotId ?? undefined, source: { type: "order", ref: "ord_1" }, reason: "refund" }, STAFF));

  const order = (fields: Record<string, unknown>) => orderSchema.parse({
    memberId: "amy", placedAt: "2026-01-15T12:00:00.000Z", paidAt: "2026-01-15T12:00:00.000Z", lines: [{ sku: "tea", quantity: 2, amount: 4_000 }], ...fields,
  });
  await tx.run((repos) => upsertOrder(repos, services, storeId, "o-amy", order({}), STAFF));
  await tx.run((repos) => upsertOrder(repos, services, storeId, "o-amy", order({ refunds: [{ id: "r1", amount: 1_000, at: "2026-01-15T12:00:00.000Z" }] }), STAFF));
  await tx.run((repos) => upsertOrder(repos, services, storeId, "o-guest", order({ memberId: "guest-1", guest: true }), STAFF));

  // Pending points mature on the 18th; the welcome lot's 10 days run out on the 25th; reminders before.
  const halfway = await advanceClock(services, storeId, new Date("2026-01-20T12:00:00Z"));
  const end = await advanceClock(services, storeId, new Date("2026-01-30T12:00:00Z"));
  await tx.run((repos) => redeem(repos, services, storeId, { memberId: "healthy", methodId: cashback.id, points: 30, orderId: "o-open", cart }, STAFF)); // left open

  const members = ["amy", "bob", "healthy", "debtor", "guest-1", "nobody"];
  const views = [];
  for (const m of members) views.push(await getMember(services, storeId, m).catch((e: { code?: string }) => e.code));
  const pages = async <T>(next: (cursor: string | null) => Promise<{ data: T[]; nextCursor: string | null }>) => {
    const out: T[][] = [];
    let cursor: string | null = null;
    do {
      const p = await next(cursor);
      out.push(p.data);
      cursor = p.nextCursor;
    } while (cursor !== null);
    return out;
  };
  const exportPages = async (kind: "members" | "ledger" | "orders", range: { from?: Date; to?: Date } = {}) => {
    const out: unknown[] = [];
    let after: string | null = null;
    do {
      const cursor: string | null = after;
      const p: ExportPage = await tx.run((repos) => repos.exports[kind](storeId, range, cursor, 4));
      out.push(p.rows);
      after = p.next;
    } while (after !== null);
    return out;
  };
  const read = <T>(fn: (repos: Repositories) => Promise<T>) => tx.run(fn);
  const result = {
    store: await read((repos) => repos.stores.get(storeId)),
    events, replay, halfway, end, views,
    activity: await pages((c) => memberActivity(services, storeId, "healthy", { limit: 4, cursor: c })),
    entitlements: await listEntitlements(services, storeId, "healthy", { limit: 10, cursor: null }),
    redemptions: [await getRedemption(services, storeId, pack.id), await getRedemption(services, storeId, captured.id), await getRedemption(services, storeId, released.id)],
    orders: [await getOrder(services, storeId, "o-amy"), await getOrder(services, storeId, "o-guest")],
    audit: await pages((c) => read((repos) => repos.audit.list(storeId, 3, c))),
    keys: await pages((c) => read((repos) => repos.keys.list(storeId, 1, c))),
    methods: await pages((c) => read((repos) => repos.redemptions.listMethods(storeId, 1, c))),
    rules: await pages((c) => read((repos) => repos.rules.list(storeId, 1, c))),
    versions: await read((repos) => repos.rules.versionsFor(storeId, ["visit", "order"])),
    tiers: await read((repos) => repos.tiers.list(storeId)),
    tierState: [...(await read((repos) => repos.tiers.tierState(storeId, members)))].sort(([a], [b]) => (a < b ? -1 : 1)),
    lastCheck: await read((repos) => repos.tiers.lastCheck(storeId)),
    earned: await read((repos) => repos.tiers.pointsEarned(storeId, "amy", T0, new Date("2026-02-01T00:00:00Z"))),
    spent: await read((repos) => repos.tiers.amountSpent(storeId, "amy", T0, new Date("2026-02-01T00:00:00Z"))),
    forOrder: await read((repos) => repos.redemptions.pointsForOrder(storeId, "o-open")),
    spends: await read((repos) => repos.orders.awardsAndSpends(storeId, "o-open")),
    due: await read(async (repos) => [
      await repos.ledger.dueMembers(storeId, new Date("2026-03-01T00:00:00Z"), 10),
      await repos.ledger.nextDueAt(storeId, new Date("2026-03-01T00:00:00Z")),
      await repos.ledger.lotsToRemind(storeId, 30, new Date("2026-01-30T12:00:00Z"), 10),
    ]),
    exports: {
      members: await exportPages("members"),
      ledger: await exportPages("ledger", { from: T0, to: new Date("2026-01-25T00:00:00Z") }),
      orders: await exportPages("orders"),
    },
    verify: await verify(storeId),
  };
  return numberIds(result);
}

const ID = /^(st|key|mem|lot|ent|hold|red|rm|etl|use|aud|rule|obx)_[0-9a-z]{21}$/;

/** Ids become `lot#3`, numbered by first appearance; dates become ISO text. */
function numberIds(value: unknown): unknown {
  const seen = new Map<string, string>();
  const walk = (v: unknown): unknown => {
    if (v instanceof Date) return v.toISOString();
    if (typeof v === "string" && ID.test(v)) {
      if (!seen.has(v)) seen.set(v, `${v.slice(0, v.indexOf("_"))}#${seen.size}`);
      return seen.get(v);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof Map) return [...v].map(walk);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}

describe("the same answers on every adapter", () => {
  it("a store's life reads back the same on the in-memory adapter as on the SQL ones", async () => {
    const answers = new Map<string, unknown>();
    for (const kind of adaptersUnderTest()) {
      const adapter = await openAdapter(kind);
      try {
        answers.set(kind, await storeLife({ tx: adapter.tx, clock: new TestClock(T0) }, adapter.verify));
      } finally {
        await adapter.close();
      }
    }
    const memory = answers.get("memory");
    for (const [kind, answer] of answers) if (kind !== "memory") expect(memory, `memory vs ${kind}`).toEqual(answer);
  });
});
