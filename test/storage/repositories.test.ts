/**
 * The storage adapter behind the core's ports, on PGlite and on PostgreSQL: what goes in comes back
 * identical. Each test works in a store of its own, so the shared PostgreSQL database is no problem.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemberBook } from "../../src/core/ledger/book.ts";
import type { Lot, Source } from "../../src/core/ledger/types.ts";
import type { Repositories } from "../../src/core/ports/repositories.ts";
import type { Services } from "../../src/services/context.ts";
import { createStore } from "../../src/services/stores.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { verifyLedger } from "../../src/storage/verify.ts";
import { TestClock } from "../support/clock.ts";
import { kindsUnderTest, openTestDatabase } from "../support/db.ts";

const d = (iso: string) => new Date(iso);
const T0 = d("2026-01-15T12:00:00.000Z");
const SOURCE: Source = { type: "adjustment", ref: null };
const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

for (const kind of kindsUnderTest()) {
  describe(kind, () => {
    let db: Database;
    let services: Services;
    beforeAll(async () => {
      db = await openTestDatabase(kind);
      services = { tx: transactor(db), clock: new TestClock(T0) };
    });
    afterAll(async () => db.close());

    const newStore = async () => (await createStore(services, { name: "Repo test", currency: "USD", timezone: "UTC" }, { id: "test", role: "operator" })).store.id;
    const run = <T>(fn: (repos: Repositories) => Promise<T>) => services.tx.run(fn);

    /** Opens a member's book under its lock, lets `fn` change it and saves it. */
    const changeBook = (storeId: string, memberId: string, fn: (book: MemberBook) => void) =>
      run(async (repos) => {
        await repos.members.ensure(storeId, memberId, T0);
        const l = (await repos.members.lockBooks(storeId, [memberId])).get(memberId)!;
        const book = new MemberBook(l.balance, l.lots, l.holds, "allow_negative");
        fn(book);
        await repos.ledger.save(storeId, [book]);
        return book;
      });

    describe("members", () => {
      it("upsert creates with defaults, and a later upsert changes only the fields it names", async () => {
        const storeId = await newStore();
        const t1 = d("2026-01-15T12:00:00.000Z");
        const t2 = d("2026-01-16T12:00:00.000Z");
        const t3 = d("2026-01-17T12:00:00.000Z");
        await run(async (repos) => {
          const fresh = await repos.members.upsert(storeId, "plain", {}, t1);
          expect(fresh).toEqual({
            memberId: "plain", email: null, phone: null, birthday: null, tier: null, tags: [], isMember: true, language: null,
            createdAt: t1, updatedAt: t1,
          });

          const full = await repos.members.upsert(storeId, "u1", {
            email: "a@example.com", phone: "+886912345678", birthday: "1990-05-01", tier: "gold", tags: ["vip", "pos"], isMember: false, language: "zh-TW",
          }, t1);
          expect(full).toEqual({
            memberId: "u1", email: "a@example.com", phone: "+886912345678", birthday: "1990-05-01", tier: "gold", tags: ["vip", "pos"],
            isMember: false, language: "zh-TW", createdAt: t1, updatedAt: t1,
          });

          const phoneOnly = await repos.members.upsert(storeId, "u1", { phone: "+15551234567" }, t2);
          expect(phoneOnly).toEqual({ ...full, phone: "+15551234567", updatedAt: t2 });

          // null clears a field; an empty tag list replaces the tags; isMember flips only when given.
          const cleared = await repos.members.upsert(storeId, "u1", { email: null, tags: [], isMember: true }, t3);
          expect(cleared).toEqual({ ...phoneOnly, email: null, tags: [], isMember: true, updatedAt: t3 });
          expect(await repos.members.get(storeId, "u1")).toEqual(cleared);
          expect(await repos.members.get(storeId, "nobody")).toBeNull();

          expect(await repos.members.ensure(storeId, "u1", t3)).toBe(false);
          expect(await repos.members.ensure(storeId, "u2", t3)).toBe(true);
          await repos.members.ensureMany(storeId, ["u2", "u3", "u1"], t3);
          expect(await repos.members.get(storeId, "u1")).toEqual(cleared); // ensure never touches an existing member
          expect((await repos.members.get(storeId, "u3"))?.createdAt).toEqual(t3);
        });
      });

      it("members of another store are invisible", async () => {
        const a = await newStore();
        const b = await newStore();
        await run(async (repos) => {
          await repos.members.upsert(a, "same-id", { email: "a@example.com" }, T0);
          await repos.members.upsert(b, "same-id", { email: "b@example.com" }, T0);
          expect((await repos.members.get(a, "same-id"))?.email).toBe("a@example.com");
          expect((await repos.members.get(b, "same-id"))?.email).toBe("b@example.com");
        });
      });
    });

    describe("ledger.save", () => {
      it("lots, entries, allocations, holds and balances come back identical", async () => {
        const storeId = await newStore();
        let lotA!: Lot, lotB!: Lot, lotC!: Lot, lotP!: Lot;
        let holdId = "";
        const first = await changeBook(storeId, "r1", (book) => {
          lotA = book.credit({
            at: T0, actor: "key_1", source: { type: "order", ref: "ord_1" }, reason: "order 1", type: "earn", points: 100,
            earnedAt: d("2026-01-14T08:00:00.000Z"), availableAt: T0, expiresAt: d("2026-06-30T23:59:59.999Z"),
            explanation: { ruleId: "rule_1", version: 3, inputs: { base: 10_050, factors: [2, 1.5] }, note: "點數" },
          }).lot;
          lotB = book.credit({ at: T0, actor: "key_1", source: SOURCE, reason: "welcome", type: "adjust", points: 50, earnedAt: T0, availableAt: T0, expiresAt: null }).lot;
          lotC = book.credit({ at: T0, actor: "key_1", source: { type: "import", ref: null }, type: "import", points: 40, earnedAt: T0, availableAt: T0, expiresAt: d("2026-03-01T00:00:00.000Z") }).lot;
          lotP = book.credit({ at: T0, actor: "system", source: { type: "event", ref: "evt_9" }, type: "earn", points: 30, earnedAt: T0, availableAt: d("2026-01-18T12:00:00.000Z"), expiresAt: null }).lot;
          const spent = book.debit({ at: T0, actor: "key_1", source: { type: "redemption", ref: "red_1" }, type: "redeem", points: 60 });
          expect(spent.ok).toBe(true);
          const held = book.placeHold({ at: T0, actor: "key_1", source: { type: "redemption", ref: "red_2" }, points: 100, expiresAt: d("2026-01-15T12:30:00.000Z") });
          if (!held.ok) throw new Error("hold refused");
          holdId = held.hold.id;
        });
        // c (nearest expiry) and then a paid for the debit; a and then b for the hold.
        expect([lotA, lotB, lotC, lotP].map((l) => first.lot(l.id)!.remaining)).toEqual([0, 30, 0, 30]);
        const changes = first.changes();

        await run(async (repos) => {
          const loaded = (await repos.members.readBook(storeId, "r1"))!;
          expect(loaded.balance).toEqual({ memberId: "r1", balance: 30, pending: 30, held: 100, debt: 0, seq: 6 });
          expect(loaded.balance).toEqual(first.balance);
          // Open lots, pending lots, and the emptied lot the hold drew on (its release needs it); not lot c.
          expect(byId(loaded.lots)).toEqual(byId([lotA, lotB, lotP].map((l) => first.lot(l.id)!)));
          expect(loaded.holds).toEqual([first.hold(holdId)]);
          expect(loaded.holds[0]!.allocations).toEqual([{ lotId: lotA.id, points: 80 }, { lotId: lotB.id, points: 20 }]);

          const activity = await repos.ledger.activity(storeId, "r1", 50, null);
          expect(activity).toEqual({ data: [...changes.entries].reverse(), nextCursor: null });
          expect(activity.data.map((e) => e.type)).toEqual(["hold", "redeem", "pending", "import", "adjust", "earn"]);
          expect(activity.data[5]!.explanation).toEqual({ ruleId: "rule_1", version: 3, inputs: { base: 10_050, factors: [2, 1.5] }, note: "點數" });
        });
        const allocations = await db.query<{ entry_id: string; lot_id: string; points: number; member_id: string }>(
          "SELECT entry_id, lot_id, points, member_id FROM allocations WHERE store_id = $1 ORDER BY ord", [storeId]);
        expect(allocations).toEqual(changes.allocations.map((a) => ({ entry_id: a.entryId, lot_id: a.lotId, points: a.points, member_id: "r1" })));

        // A second book, loaded from storage, releases the hold back into lots a and b.
        const second = await changeBook(storeId, "r1", (book) => {
          expect(book.balance).toEqual(first.balance);
          book.release(holdId, { at: d("2026-01-15T12:10:00.000Z"), actor: "key_1", source: { type: "redemption", ref: "red_2" }, reason: "order canceled" });
        });
        expect(second.changes().changedLots.map((l) => [l.id, l.remaining])).toEqual([[lotA.id, 80], [lotB.id, 50]]);
        await run(async (repos) => {
          const loaded = (await repos.members.readBook(storeId, "r1"))!;
          expect(loaded.balance).toEqual({ memberId: "r1", balance: 130, pending: 30, held: 0, debt: 0, seq: 7 });
          expect(loaded.holds).toEqual([]);
          expect(byId(loaded.lots).map((l) => ({ id: l.id, remaining: l.remaining, status: l.status }))).toEqual(byId([
            { id: lotA.id, remaining: 80, status: "available" },
            { id: lotB.id, remaining: 50, status: "available" },
            { id: lotP.id, remaining: 30, status: "pending" },
          ]));
        });
        expect(await db.query("SELECT status FROM holds WHERE store_id = $1 AND id = $2", [storeId, holdId])).toEqual([{ status: "released" }]);

        // A third book matures the pending lot: its new status is saved with it.
        await changeBook(storeId, "r1", (book) => {
          expect(book.settleDue(d("2026-01-19T00:00:00.000Z"))).toEqual({ matured: 1, expired: 0, released: 0 });
        });
        await run(async (repos) => {
          const loaded = (await repos.members.readBook(storeId, "r1"))!;
          expect(loaded.balance).toEqual({ memberId: "r1", balance: 160, pending: 0, held: 0, debt: 0, seq: 8 });
          expect(loaded.lots.find((l) => l.id === lotP.id)).toEqual({ ...lotP, status: "available", remaining: 30 });
          expect((await repos.ledger.activity(storeId, "r1", 1, null)).data[0]).toMatchObject({ type: "mature", points: 30, delta: 30, balanceAfter: 160, lotId: lotP.id, actor: "system", source: { type: "event", ref: "evt_9" } });
        });
        expect(await verifyLedger(db, storeId)).toEqual([]);
      });

      it("saves many books in one call", async () => {
        const storeId = await newStore();
        const books = await run(async (repos) => {
          const ids = ["b3", "b1", "b2"];
          await repos.members.ensureMany(storeId, ids, T0);
          const loaded = await repos.members.lockBooks(storeId, ids);
          expect([...loaded.keys()]).toEqual(["b1", "b2", "b3"]);
          const result = ids.map((id, i) => {
            const l = loaded.get(id)!;
            const book = new MemberBook(l.balance, l.lots, l.holds, "allow_negative");
            book.credit({ at: T0, actor: "bulk", source: SOURCE, type: "adjust", points: 10 * (i + 1), earnedAt: T0, availableAt: T0, expiresAt: null });
            return book;
          });
          await repos.ledger.save(storeId, result);
          return result;
        });
        const rows = await db.query<{ member_id: string; balance: number; seq: number }>(
          "SELECT member_id, balance, seq FROM members WHERE store_id = $1 ORDER BY member_id", [storeId]);
        expect(rows).toEqual([{ member_id: "b1", balance: 20, seq: 1 }, { member_id: "b2", balance: 30, seq: 1 }, { member_id: "b3", balance: 10, seq: 1 }]);
        expect(books).toHaveLength(3);
        expect(await verifyLedger(db, storeId)).toEqual([]);
      });
    });

    describe("activity", () => {
      it("pages newest first by sequence, with a cursor that ends in null", async () => {
        const storeId = await newStore();
        await changeBook(storeId, "p1", (book) => {
          for (let i = 1; i <= 7; i++) book.credit({ at: T0, actor: "key_1", source: SOURCE, reason: `r${i}`, type: "adjust", points: i, earnedAt: T0, availableAt: T0, expiresAt: null });
        });
        await changeBook(storeId, "p2", (book) => {
          book.credit({ at: T0, actor: "key_1", source: SOURCE, type: "adjust", points: 99, earnedAt: T0, availableAt: T0, expiresAt: null });
        });
        await run(async (repos) => {
          const page1 = await repos.ledger.activity(storeId, "p1", 3, null);
          expect(page1.data.map((e) => [e.seq, e.points, e.balanceAfter, e.reason])).toEqual([[7, 7, 28, "r7"], [6, 6, 21, "r6"], [5, 5, 15, "r5"]]);
          expect(page1.nextCursor).toBe("5");
          const page2 = await repos.ledger.activity(storeId, "p1", 3, 5);
          expect(page2.data.map((e) => e.seq)).toEqual([4, 3, 2]);
          expect(page2.nextCursor).toBe("2");
          const page3 = await repos.ledger.activity(storeId, "p1", 3, 2);
          expect(page3.data.map((e) => e.seq)).toEqual([1]);
          expect(page3.nextCursor).toBeNull();
          // A page that ends exactly at the last entry has no next cursor either.
          const exact = await repos.ledger.activity(storeId, "p1", 7, null);
          expect(exact.data).toHaveLength(7);
          expect(exact.nextCursor).toBeNull();
          expect((await repos.ledger.activity(storeId, "p1", 6, null)).nextCursor).toBe("2");
          expect(await repos.ledger.activity(storeId, "p1", 3, 1)).toEqual({ data: [], nextCursor: null });
          expect(await repos.ledger.activity(storeId, "nobody", 3, null)).toEqual({ data: [], nextCursor: null });
          const other = await repos.ledger.activity(storeId, "p2", 10, null);
          expect(other.data.map((e) => [e.memberId, e.points])).toEqual([["p2", 99]]);
        });
      });
    });

    describe("due work queries", () => {
      it("finds members with pending lots maturing, lots expiring and holds timing out, and the earliest instant", async () => {
        const storeId = await newStore();
        const h = (hours: number) => new Date(T0.getTime() + hours * 3_600_000);
        await changeBook(storeId, "d1", (book) => void book.credit({ at: T0, actor: "t", source: SOURCE, type: "earn", points: 10, earnedAt: T0, availableAt: h(1), expiresAt: null }));
        await changeBook(storeId, "d2", (book) => void book.credit({ at: T0, actor: "t", source: SOURCE, type: "earn", points: 10, earnedAt: T0, availableAt: T0, expiresAt: h(2) }));
        await changeBook(storeId, "d3", (book) => {
          book.credit({ at: T0, actor: "t", source: SOURCE, type: "earn", points: 10, earnedAt: T0, availableAt: T0, expiresAt: null });
          book.placeHold({ at: T0, actor: "t", source: SOURCE, points: 5, expiresAt: h(0.5) });
        });
        await changeBook(storeId, "d4", (book) => void book.credit({ at: T0, actor: "t", source: SOURCE, type: "earn", points: 10, earnedAt: T0, availableAt: T0, expiresAt: h(100) }));
        await run(async (repos) => {
          expect(await repos.ledger.dueMembers(storeId, h(3), 10)).toEqual(["d1", "d2", "d3"]);
          expect(await repos.ledger.dueMembers(storeId, h(3), 2)).toEqual(["d1", "d2"]);
          expect(await repos.ledger.dueMembers(storeId, h(0.75), 10)).toEqual(["d3"]);
          expect(await repos.ledger.dueMembers(storeId, h(0.25), 10)).toEqual([]);
          expect(await repos.ledger.nextDueAt(storeId, h(3))).toEqual(h(0.5));
          expect(await repos.ledger.nextDueAt(storeId, h(0.25))).toBeNull();

          const remind = await repos.ledger.lotsToRemind(storeId, 5, T0, 10);
          expect(remind.map((l) => [l.memberId, l.expiresAt])).toEqual([["d2", h(2)], ["d4", h(100)]]);
          await repos.ledger.markReminded(storeId, [remind[0]!.id], T0);
          expect((await repos.ledger.lotsToRemind(storeId, 5, T0, 10)).map((l) => l.memberId)).toEqual(["d4"]);
          expect(await repos.ledger.lotsToRemind(storeId, 1, T0, 10)).toEqual([]);
        });
      });
    });

    describe("idempotency", () => {
      it("claims a key once; later claims get the stored response", async () => {
        const storeId = await newStore();
        await run(async (repos) => {
          expect(await repos.idempotency.claim(storeId, "POST /x", "k1", "fp1", new Date(), null)).toBe("claimed");
          await repos.idempotency.complete(storeId, "POST /x", "k1", { ok: true, value: { id: "ent_1", points: 5, nested: { a: [1, 2] } } });
        });
        await run(async (repos) => {
          expect(await repos.idempotency.claim(storeId, "POST /x", "k1", "fp2", new Date(), null)).toEqual({ fingerprint: "fp1", outcome: { ok: true, value: { id: "ent_1", points: 5, nested: { a: [1, 2] } } } });
          expect(await repos.idempotency.claim(storeId, "POST /y", "k1", "fp1", new Date(), null)).toBe("claimed"); // scopes are separate
          const many = await repos.idempotency.claimMany(storeId, "POST /x", [{ key: "k2", fingerprint: "f" }, { key: "k1", fingerprint: "f" }]);
          expect(many.get("k2")).toBe("claimed");
          expect(many.get("k1")).toEqual({ fingerprint: "fp1", outcome: { ok: true, value: { id: "ent_1", points: 5, nested: { a: [1, 2] } } } });
          await repos.idempotency.completeMany(storeId, "POST /x", [{ key: "k2", outcome: { ok: false, error: { code: "insufficient_points", message: "short", details: { available: 3 } } } }]);
          expect(await repos.idempotency.claim(storeId, "POST /x", "k2", "f", new Date(), null)).toEqual({ fingerprint: "f", outcome: { ok: false, error: { code: "insufficient_points", message: "short", details: { available: 3 } } } });
        });
      });

      it("an expired key is claimed afresh, and purge forgets expired keys of its scope only", async () => {
        const storeId = await newStore();
        const day1 = new Date("2026-03-01T00:00:00Z");
        const day2 = new Date("2026-03-02T00:00:01Z");
        await run(async (repos) => {
          expect(await repos.idempotency.claim(storeId, "request", "k", "fp1", day1, null)).toBe("claimed");
          await repos.idempotency.complete(storeId, "request", "k", { ok: true, value: { n: 1 } });
          expect(await repos.idempotency.claim(storeId, "event", "e", "fp1", day1, null)).toBe("claimed");
        });
        await run(async (repos) => {
          // Not yet expired: the stored response, whatever the fingerprint.
          expect(await repos.idempotency.claim(storeId, "request", "k", "fp2", day2, new Date("2026-03-01T00:00:00Z"))).toMatchObject({ fingerprint: "fp1", outcome: { ok: true } });
          // Expired: claimed again for the new request.
          expect(await repos.idempotency.claim(storeId, "request", "k", "fp2", day2, new Date("2026-03-01T00:00:00.001Z"))).toBe("claimed");
          expect(await repos.idempotency.claim(storeId, "request", "k", "fp3", day2, new Date("2026-03-01T00:00:00.001Z"))).toMatchObject({ fingerprint: "fp2", outcome: null });
          expect(await repos.idempotency.purge("request", new Date("2026-03-03T00:00:00Z"), 100)).toBeGreaterThanOrEqual(1);
          expect(await repos.idempotency.claim(storeId, "request", "k", "fp4", day2, null)).toBe("claimed");
          expect(await repos.idempotency.claim(storeId, "event", "e", "fp9", day2, null)).toMatchObject({ fingerprint: "fp1" });
        });
      });
    });
  });
}
