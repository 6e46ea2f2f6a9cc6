import { afterAll, beforeAll, expect } from "vitest";
import { startTestApp, type TestApp } from "../support/app.ts";
import { expectLedgerClean, setupStore, type StoreSetup } from "../checkout/helpers.ts";

/** An order's `points`, as PUT and GET /v1/orders/{id} answer them. */
export const points = (earned: number, reversed = 0, pending = 0, redeemed = 0) => ({ earned, pending, reversed, redeemed });

/**
 * The setup the order suites share; call it inside a describe. It starts the app before the
 * describe's tests and, after them, checks the ledger of every store made here and closes the app.
 * `store(setup)` makes a sandbox store from `defaults` overridden by `setup`.
 */
export function orderStores(defaults: StoreSetup = {}) {
  let t: TestApp;
  const stores: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await expectLedgerClean(t, stores);
    await t.close();
  });

  async function store(setup: StoreSetup = {}) {
    const s = await setupStore(t, { ...defaults, ...setup });
    stores.push(s.c.store.id);
    const c = s.c;
    /** PUTs the order and checks its points, in the answer and in a fresh GET. */
    const put = async (id: string, body: unknown, expected: ReturnType<typeof points>) => {
      const o = await c.order(id, body);
      expect(o.points, `PUT ${id}`).toEqual(expected);
      expect((await c.json(`/v1/orders/${id}`)).points, `GET ${id}`).toEqual(expected);
      return o;
    };
    return { ...s, put };
  }

  return { store, app: () => t };
}
