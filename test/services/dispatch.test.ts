/**
 * Dispatching outgoing events (services/dispatch.ts): every event handed to every fan-out exactly
 * once, each store's in the order they happened, marked in the same transaction — however many
 * dispatchers run at once — and a fan-out that fails hands nothing on (the events wait for the
 * next run).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutgoingEvent } from "../../src/core/outgoing/events.ts";
import { adjustMember } from "../../src/services/adjustments.ts";
import type { Actor, Services } from "../../src/services/context.ts";
import { dispatchOutgoing, type FanOut } from "../../src/services/dispatch.ts";
import { createStore } from "../../src/services/stores.ts";
import type { Database } from "../../src/storage/sql.ts";
import { transactor } from "../../src/storage/transactor.ts";
import { TestClock } from "../support/clock.ts";
import { configuredKind, openTestDatabase } from "../support/db.ts";

const STAFF: Actor = { id: "staff", role: "points_manager" };

describe(`dispatching outgoing events (${configuredKind()})`, () => {
  let db: Database;
  let services: Services;
  const stores: string[] = [];

  beforeAll(async () => {
    db = await openTestDatabase();
    services = { tx: transactor(db), clock: new TestClock() };
    for (const name of ["D1", "D2"]) stores.push((await createStore(services, { name, currency: "USD", timezone: "UTC" }, { id: "t", role: "operator" })).store.id);
  });
  afterAll(async () => db?.close());

  const adjust = (storeId: string, memberId: string, points: number) =>
    services.tx.run((repos) => adjustMember(repos, services, storeId, memberId, { points, reason: `r${points}` }, STAFF));
  const undispatched = async () =>
    Number((await db.query<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE store_id = ANY($1) AND dispatched_at IS NULL", [stores]))[0]!.n);

  it("hands every event on once, oldest first per store, to every fan-out, however many dispatchers run", async () => {
    for (let i = 1; i <= 30; i++) await adjust(stores[i % 2]!, `m${i % 3}`, i);
    const seen: OutgoingEvent[] = [];
    const other: string[] = [];
    const record: FanOut = async (_repos, store, events) => {
      for (const e of events) expect(e.storeId).toBe(store.id);
      seen.push(...events);
    };
    const second: FanOut = async (_repos, _store, events) => void other.push(...events.map((e) => e.id));
    await Promise.all([1, 2, 3].map(() => dispatchOutgoing(services, [record, second], { chunk: 4, storeIds: stores })));
    const ours = seen.filter((e) => stores.includes(e.storeId));
    expect(ours.length).toBe(30);
    expect(new Set(ours.map((e) => e.id)).size).toBe(30);
    for (const storeId of stores) {
      const points = ours.filter((e) => e.storeId === storeId).map((e) => e.data.points);
      expect(points).toEqual([...points].sort((a, b) => (a as number) - (b as number)));
    }
    expect(other.filter((id) => ours.some((e) => e.id === id)).length).toBe(30);
    expect(await undispatched()).toBe(0);
    // Nothing is handed on twice.
    const again: OutgoingEvent[] = [];
    await dispatchOutgoing(services, [async (_r, _s, events) => void again.push(...events)], { storeIds: stores });
    expect(again.filter((e) => stores.includes(e.storeId))).toEqual([]);
  });

  it("a fan-out that throws hands nothing of its chunk on; the next run does", async () => {
    await adjust(stores[0]!, "late", 5);
    await expect(dispatchOutgoing(services, [async () => { throw new Error("down"); }], { storeIds: stores })).rejects.toThrow("down");
    expect(await undispatched()).toBe(1);
    const later: OutgoingEvent[] = [];
    await dispatchOutgoing(services, [async (_r, _s, events) => void later.push(...events)], { storeIds: stores });
    expect(later.filter((e) => stores.includes(e.storeId)).map((e) => [e.memberId, e.data.points])).toEqual([["late", 5]]);
  });
});
