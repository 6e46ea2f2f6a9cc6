import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestApp, type TestApp } from "../support/app.ts";
import { expectProblem, WRONG_KEY } from "../support/http.ts";
import { expectLedgerClean, orderRule, setupStore, type Client } from "./helpers.ts";

/** SPEC §4 exports: streamed CSV of members, ledger entries and orders, filtered by date. */

const MEMBERS_HEADER = "memberId,email,phone,birthday,tier,isMember,language,tags,balance,pending,held,debt,createdAt,updatedAt";
const LEDGER_HEADER = "entryId,memberId,seq,type,points,balanceAfter,at,actor,reason,sourceType,sourceRef,lotId,holdId";
const ORDERS_HEADER = "orderId,memberId,channel,placedAt,paidAt,fulfilledAt,deliveredAt,canceledAt,subtotal,discounts,pointsEarned,pointsReversed,pointsRedeemed";

/** One CSV record: fields quoted when they hold a comma, a quote or a line break; quotes doubled. */
function csvRow(fields: Array<string | number | boolean | null>): string {
  return fields
    .map((f) => {
      const s = f === null ? "" : String(f);
      return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
    })
    .join(",");
}
const csv = (header: string, rows: string[]) => [header, ...rows].join("\n") + "\n";

describe("CSV exports", () => {
  let t: TestApp;
  let c: Client;
  const stores: string[] = [];
  const REASON = 'Sorry, "late" delivery,\nsecond line';

  beforeAll(async () => {
    t = await startTestApp();
    const s = await setupStore(t, { rules: [orderRule()] });
    c = s.c;
    stores.push(c.store.id);
    expect((await c.put("/v1/members/amy", { email: "amy@example.com", phone: "+15551234567", birthday: "1990-05-01", tags: ["vip", "early"], language: "en" })).statusCode).toBe(200);
    await c.advance("2026-03-02T00:00:00Z");
    expect((await c.put("/v1/members/ben", { isMember: false })).statusCode).toBe(200);
    await c.adjust("amy", 100, REASON);
    await c.advance("2026-03-03T00:00:00Z");
    await c.order("o1", { memberId: "amy", lines: [{ sku: "a", quantity: 1, amount: 12_000 }], discounts: 500, placedAt: "2026-03-02T12:00:00Z", paidAt: "2026-03-03T08:00:00+08:00" });
    await c.order("o2", { memberId: null, channel: "pos", lines: [{ sku: "b", quantity: 2, amount: 3_000 }], placedAt: "2026-03-01T10:00:00Z", canceledAt: "2026-03-01T11:00:00.000Z" });
    await c.adjust("amy", -30, "Correction");
  });
  afterAll(async () => {
    await expectLedgerClean(t, stores);
    await t.close();
  });

  const download = async (path: string, key = c.store.adminKey) => {
    const res = await call(t.app, "GET", path, { key });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    return res.body;
  };

  const AMY = csvRow(["amy", "amy@example.com", "+15551234567", "1990-05-01", null, true, "en", "vip|early", 190, 0, 0, 0, "2026-03-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"]);
  const BEN = csvRow(["ben", null, null, null, null, false, null, "", 0, 0, 0, 0, "2026-03-02T00:00:00.000Z", "2026-03-02T00:00:00.000Z"]);

  it("members.csv: header and exact rows, ordered by member id", async () => {
    const res = await call(t.app, "GET", "/v1/exports/members.csv", { key: c.store.adminKey });
    expect(res.headers["content-disposition"]).toBe('attachment; filename="members.csv"');
    expect(res.body).toBe(csv(MEMBERS_HEADER, [AMY, BEN]));
  });

  it("ledger.csv: every entry, with a reason holding a comma, a quote and a line break quoted", async () => {
    const entries = (await c.activity("amy")).reverse();
    expect(entries.map((e: any) => e.type)).toEqual(["adjust", "earn", "adjust"]);
    const actor = entries[0].actor;
    expect(actor).toMatch(/^key_/);
    const rows = [
      { id: entries[0].id, row: csvRow([entries[0].id, "amy", 1, "adjust", 100, 100, "2026-03-02T00:00:00.000Z", actor, REASON, "adjustment", null, entries[0].lotId, null]) },
      { id: entries[1].id, row: csvRow([entries[1].id, "amy", 2, "earn", 120, 220, "2026-03-03T00:00:00.000Z", actor, "Points on orders", "order", "o1", entries[1].lotId, null]) },
      { id: entries[2].id, row: csvRow([entries[2].id, "amy", 3, "adjust", -30, 190, "2026-03-03T00:00:00.000Z", actor, "Correction", "adjustment", null, null, null]) },
    ].sort((a, b) => (a.id < b.id ? -1 : 1));
    const body = await download("/v1/exports/ledger.csv");
    expect(body).toBe(csv(LEDGER_HEADER, rows.map((r) => r.row)));
    // The reason survives as one quoted field spanning two lines.
    expect(body).toContain(`,"Sorry, ""late"" delivery,\nsecond line",adjustment,,`);
  });

  it("orders.csv: one row per order, instants in UTC", async () => {
    expect(await download("/v1/exports/orders.csv")).toBe(csv(ORDERS_HEADER, [
      csvRow(["o1", "amy", "online", "2026-03-02T12:00:00.000Z", "2026-03-03T00:00:00.000Z", null, null, null, 12_000, 500, 120, 0, 0]),
      csvRow(["o2", null, "pos", "2026-03-01T10:00:00.000Z", null, null, null, "2026-03-01T11:00:00.000Z", 3_000, 0, 0, 0, 0]),
    ]));
  });

  it("orders.csv: points reversed and redeemed on the order", async () => {
    const { c: s, methodIds } = await setupStore(t, { rules: [orderRule()], methods: [{ type: "cashback", name: "Cash", points: 1, amount: 1 }] });
    stores.push(s.store.id);
    await s.adjust("m", 1_000);
    const order = { memberId: "m", lines: [{ sku: "a", quantity: 1, amount: 10_000 }, { sku: "b", quantity: 1, amount: 10_000 }], placedAt: "2026-02-28T00:00:00Z", paidAt: "2026-02-28T00:10:00Z" };
    const held = (await s.post("/v1/redemptions", { memberId: "m", methodId: methodIds[0], points: 400, orderId: "x", cart: { lines: order.lines } })).json();
    expect(held.status).toBe("held");
    await s.post(`/v1/redemptions/${held.id}/capture`);
    await s.order("x", { ...order, refunds: [{ id: "r", lines: [{ sku: "b", quantity: 1, amount: 10_000 }], amount: 10_000, at: "2026-02-28T01:00:00Z" }] });
    expect(await download("/v1/exports/orders.csv", s.store.adminKey)).toBe(csv(ORDERS_HEADER, [
      csvRow(["x", "m", "online", "2026-02-28T00:00:00.000Z", "2026-02-28T00:10:00.000Z", null, null, null, 20_000, 0, 100, 0, 200]),
    ]));
  });

  it("filters by date: from is inclusive, to is exclusive", async () => {
    const ids = (await c.activity("amy")).reverse().map((e: any) => e.id);
    const lines = async (path: string) => (await download(path)).split("\n").filter((l) => l !== "");
    expect(await download("/v1/exports/members.csv?from=2026-03-02T00:00:00Z")).toBe(csv(MEMBERS_HEADER, [BEN]));
    expect(await download("/v1/exports/members.csv?to=2026-03-02T00:00:00Z")).toBe(csv(MEMBERS_HEADER, [AMY]));
    expect(await download("/v1/exports/members.csv?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00.001Z")).toBe(csv(MEMBERS_HEADER, [AMY, BEN]));

    const late = await lines("/v1/exports/ledger.csv?from=2026-03-03T00:00:00Z");
    expect(late.slice(1).map((l) => l.split(",")[0]).sort()).toEqual([ids[1], ids[2]].sort());
    const early = await download("/v1/exports/ledger.csv?to=2026-03-03T00:00:00Z");
    expect(early.startsWith(`${LEDGER_HEADER}\n${ids[0]},amy,1,adjust,100,100,`)).toBe(true);
    expect(early.split("\n").filter((l) => l.startsWith("ent_"))).toHaveLength(1);

    expect((await lines("/v1/exports/orders.csv?from=2026-03-02T00:00:00Z")).map((l) => l.split(",")[0])).toEqual(["orderId", "o1"]);
    expect((await lines("/v1/exports/orders.csv?to=2026-03-02T00:00:00Z")).map((l) => l.split(",")[0])).toEqual(["orderId", "o2"]);
    // Offsets are instants like any other: 08:00 in Taipei is midnight UTC.
    expect((await lines("/v1/exports/orders.csv?from=2026-03-02T20:00:00%2B08:00")).map((l) => l.split(",")[0])).toEqual(["orderId", "o1"]);
    // An empty range is the header alone.
    for (const kind of ["members", "ledger", "orders"]) {
      const header = { members: MEMBERS_HEADER, ledger: LEDGER_HEADER, orders: ORDERS_HEADER }[kind];
      expect(await download(`/v1/exports/${kind}.csv?from=2027-01-01T00:00:00Z`)).toBe(`${header}\n`);
    }
    const bad = await c.get("/v1/exports/ledger.csv?from=yesterday");
    expect(expectProblem(bad, 422, "validation_failed").errors.map((e: { path: string }) => e.path)).toEqual(["from"]);
  });

  it("pages through more than 1 000 rows: every row once, in key order", async () => {
    const { c: s } = await setupStore(t);
    stores.push(s.store.id);
    const memberIds = Array.from({ length: 2_500 }, (_, i) => `m${String(i + 1).padStart(4, "0")}`);
    const bulk = await s.post("/v1/adjustments/bulk", { memberIds, points: 7, reason: "Welcome, \"friends\"" });
    expect(bulk.statusCode, bulk.body).toBe(201);
    expect(bulk.json()).toEqual({ count: 2_500 });

    const members = (await download("/v1/exports/members.csv", s.store.adminKey)).split("\n");
    expect(members.pop()).toBe("");
    expect(members).toHaveLength(2_501);
    expect(members[0]).toBe(MEMBERS_HEADER);
    expect(members.slice(1).map((l) => l.split(",")[0])).toEqual(memberIds);
    expect(members[1]).toBe(csvRow(["m0001", null, null, null, null, true, null, "", 7, 0, 0, 0, "2026-03-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"]));

    const ledger = (await download("/v1/exports/ledger.csv", s.store.adminKey)).split("\n");
    expect(ledger.pop()).toBe("");
    expect(ledger).toHaveLength(2_501);
    const entryIds = ledger.slice(1).map((l) => l.split(",")[0]!);
    expect(new Set(entryIds).size).toBe(2_500);
    expect([...entryIds].sort()).toEqual(entryIds);
    expect(new Set(ledger.slice(1).map((l) => l.split(",")[1])).size).toBe(2_500);
    for (const line of ledger.slice(1)) expect(line).toContain(',1,adjust,7,7,2026-03-01T00:00:00.000Z,');
    expect(ledger[1]).toContain(',"Welcome, ""friends""",adjustment,bulk,');
  }, 180_000);

  it("a page boundary at exactly 1 000 rows loses and repeats nothing", async () => {
    const { c: s } = await setupStore(t);
    stores.push(s.store.id);
    const memberIds = Array.from({ length: 1_000 }, (_, i) => `p${String(i).padStart(4, "0")}`);
    expect((await s.post("/v1/adjustments/bulk", { memberIds, points: 1, reason: "r" })).statusCode).toBe(201);
    const members = (await download("/v1/exports/members.csv", s.store.adminKey)).trimEnd().split("\n");
    expect(members.slice(1).map((l) => l.split(",")[0])).toEqual(memberIds);
    const ledger = (await download("/v1/exports/ledger.csv", s.store.adminKey)).trimEnd().split("\n");
    expect(ledger).toHaveLength(1_001);
  }, 120_000);

  it("roles and stores: a viewer may export, no key may not, and each store sees only its own rows", async () => {
    const viewer = await c.store.key("viewer");
    const manager = await c.store.key("points_manager");
    for (const kind of ["members", "ledger", "orders"]) {
      const path = `/v1/exports/${kind}.csv`;
      const mine = await download(path);
      expect(await download(path, viewer)).toBe(mine);
      expect(await download(path, manager)).toBe(mine);
      expectProblem(await call(t.app, "GET", path, { key: null }), 401, "unauthorized");
      expectProblem(await call(t.app, "GET", path, { key: WRONG_KEY }), 401, "unauthorized");
    }
    const { c: other } = await setupStore(t, { rules: [orderRule()] });
    stores.push(other.store.id);
    await other.adjust("zed", 5, "other store");
    await other.order("o1", { memberId: "zed", lines: [{ sku: "z", quantity: 1, amount: 900 }], placedAt: "2026-02-28T00:00:00Z" });
    const theirs = await download("/v1/exports/members.csv", other.store.adminKey);
    expect(theirs.split("\n").filter((l) => l !== "").map((l) => l.split(",")[0])).toEqual(["memberId", "zed"]);
    const theirLedger = (await download("/v1/exports/ledger.csv", other.store.adminKey)).trimEnd().split("\n");
    expect(theirLedger.slice(1).map((l) => l.split(",")[1])).toEqual(["zed"]);
    expect((await download("/v1/exports/orders.csv", other.store.adminKey)).trimEnd().split("\n").slice(1).map((l) => l.slice(0, 6))).toEqual(["o1,zed"]);
    // Ours is unchanged by theirs, even for an order id both stores use.
    expect(await download("/v1/exports/members.csv")).toBe(csv(MEMBERS_HEADER, [AMY, BEN]));
    expect((await download("/v1/exports/orders.csv")).split("\n")[1]!.startsWith("o1,amy,")).toBe(true);
  });
});
