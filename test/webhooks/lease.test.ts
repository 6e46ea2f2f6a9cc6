import { afterEach, describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids.ts";
import type { WebhookDeliveryRecord } from "../../src/core/ports/webhooks.ts";
import { createStore } from "../../src/services/stores.ts";
import { adaptersUnderTest, openAdapter, type TestAdapter } from "../support/adapters.ts";

// Long before any other test's deliveries are due: the shared PostgreSQL holds theirs too, and claims span stores.
const T0 = new Date("2001-01-15T12:00:00Z");
const at = (s: number) => new Date(T0.getTime() + s * 1000);

/** The delivery lease, on every adapter: a claimed delivery is not claimed again until its lease runs out. */
describe.each(adaptersUnderTest())("webhook delivery leases on %s", (kind) => {
  let adapter: TestAdapter;
  let made: { storeId: string; endpointId: string } | undefined;
  // Deleted, so no delivery pass of another test file (on a shared PostgreSQL) picks these up.
  afterEach(async () => {
    if (made) await adapter.tx.run((repos) => repos.webhooks.deleteEndpoint(made!.storeId, made!.endpointId, T0));
    made = undefined;
    await adapter?.close();
  });

  async function setup(count: number) {
    adapter = await openAdapter(kind);
    const { store } = await createStore({ tx: adapter.tx, clock: { now: () => T0 } }, { name: "S", currency: "USD", timezone: "UTC" }, { id: "op", role: "operator" });
    const endpointId = newId("whe");
    await adapter.tx.run(async (repos) => {
      await repos.webhooks.insertEndpoint(store.id, { id: endpointId, url: "https://93.184.215.14/x", events: ["*"], description: null, enabled: true, secret: "whsec_AAAA", previousSecret: null, previousSecretUntil: null, createdAt: T0, updatedAt: T0 });
      const rows: WebhookDeliveryRecord[] = Array.from({ length: count }, (_, i) => ({
        id: newId("whd"), endpointId, eventId: `evt_${i}`, event: { id: `evt_${i}`, type: "member.tier_changed", storeId: store.id, memberId: null, occurredAt: T0.toISOString(), data: {} },
        status: "pending", attempts: 0, lastStatus: null, lastError: null, nextAttemptAt: T0, deliveredAt: null, createdAt: T0,
      }));
      await repos.webhooks.insertDeliveries(store.id, rows);
      // The same event for the same endpoint again is ignored (dispatch is at least once).
      await repos.webhooks.insertDeliveries(store.id, rows.map((r) => ({ ...r, id: newId("whd") })));
    });
    made = { storeId: store.id, endpointId };
    return made;
  }

  it("claims each due delivery once while its lease runs, again after it ran out, and records only under the lease", async () => {
    const { storeId } = await setup(3);
    // A claim limited to other stores leaves this store's deliveries alone.
    expect(await adapter.tx.run((repos) => repos.webhooks.claimDue(at(0), at(60), 10, ["st_someone_else"]))).toEqual([]);
    const first = await adapter.tx.run((repos) => repos.webhooks.claimDue(at(0), at(60), 2, [storeId]));
    const second = await adapter.tx.run((repos) => repos.webhooks.claimDue(at(1), at(61), 10));
    expect(first).toHaveLength(2);
    expect(second).toHaveLength(1);
    expect(new Set([...first, ...second].map((c) => c.delivery.id)).size).toBe(3);
    expect(await adapter.tx.run((repos) => repos.webhooks.claimDue(at(30), at(90), 10))).toEqual([]);

    const expired = await adapter.tx.run((repos) => repos.webhooks.claimDue(at(60), at(120), 10));
    expect(expired.map((c) => c.delivery.id).sort()).toEqual(first.map((c) => c.delivery.id).sort());
    // The first worker lost its lease: its result is not recorded over the second's.
    const attempt = { status: "delivered" as const, attempts: 1, lastStatus: 200, lastError: null, nextAttemptAt: null, deliveredAt: at(61) };
    expect(await adapter.tx.run((repos) => repos.webhooks.recordAttempt(storeId, first[0]!.delivery.id, first[0]!.leaseUntil, attempt))).toBe(false);
    const mine = expired.find((c) => c.delivery.id === first[0]!.delivery.id)!;
    expect(await adapter.tx.run((repos) => repos.webhooks.recordAttempt(storeId, mine.delivery.id, mine.leaseUntil, attempt))).toBe(true);
    expect(await adapter.tx.run((repos) => repos.webhooks.getDelivery(storeId, mine.delivery.id))).toMatchObject({ status: "delivered", attempts: 1, lastStatus: 200 });
  });

  if (kind !== "memory") {
    it("never hands one delivery to two concurrent claimers", async () => {
      await setup(40);
      const claims = await Promise.all(Array.from({ length: 4 }, () => adapter.tx.run((repos) => repos.webhooks.claimDue(at(0), at(60), 15))));
      const ids = claims.flat().map((c) => c.delivery.id);
      expect(ids).toHaveLength(40);
      expect(new Set(ids).size).toBe(40);
    });
  }
});
