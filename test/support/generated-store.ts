import { readFileSync } from "node:fs";
import { join } from "node:path";
import { orderSchema, type Order } from "../../src/core/orders/order.ts";
import type { Actor, Services } from "../../src/services/context.ts";
import type { Repositories } from "../../src/core/ports/repositories.ts";
import { adjustMember } from "../../src/services/adjustments.ts";
import { advanceClockIn } from "../../src/services/due-work.ts";
import { upsertOrder } from "../../src/services/orders.ts";
import { importProgram } from "../../src/services/program-document.ts";
import { finishRedemption, redeem } from "../../src/services/redemptions.ts";
import { createStore } from "../../src/services/stores.ts";
import { recordEvents } from "../../src/services/record-events.ts";
import { seededRandom } from "./random.ts";

export interface GeneratedStoreOptions {
  members: number;
  orders: number;
  /** Days the orders spread over, from `start`. */
  days: number;
  start: Date;
  seed: number;
  /** Inputs per transaction (a bench loads faster in big ones). */
  perTransaction?: number;
  /** Transactions at once (a bench on PostgreSQL overlaps their round trips). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

type Action =
  | { at: number; kind: "order"; id: string; order: Order }
  | { at: number; kind: "redeem"; memberId: string; orderId: string; points: number }
  | { at: number; kind: "adjust"; memberId: string; points: number }
  | { at: number; kind: "event"; id: string; memberId: string };

/** How far the clock moves at a time. */
const STEP_MS = 6 * 3_600_000;

const ACTOR: Actor = { id: "generator", role: "system" };

/**
 * A store with a year of life, made through the services as an API client would make it: the
 * member-points preset (earning on delivery plus 3 days) with points valid four months and a
 * sign-up bonus, members placing orders that are delivered two days later, some refunded in part
 * or canceled, cashback spent at checkout on some of them (held, then captured), hand adjustments
 * both ways, on a sandbox clock moved forward as the inputs come (maturing and expiry included).
 */
export async function generateStore(services: Services, options: GeneratedStoreOptions): Promise<string> {
  const rnd = seededRandom(options.seed);
  const { store } = await createStore(services, { name: "Generated", currency: "USD", timezone: "America/New_York", sandbox: true, clock: options.start }, ACTOR);
  const preset = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "presets", "member-points.json"), "utf8")) as { settings: Record<string, unknown>; earnRules: unknown[] };
  preset.settings.validity = { type: "rolling", months: 4 };
  preset.earnRules.push({ name: "Sign-up bonus", event: "account.registered", award: { type: "fixed", points: 50 } });
  await services.tx.run((repos) => importProgram(repos, services, store.id, preset, { dryRun: false }, ACTOR));
  const methodId = await services.tx.run(async (repos) => (await repos.redemptions.listMethods(store.id, 10, null)).data.find((m) => m.type === "cashback")!.id);

  const start = options.start.getTime();
  const span = options.days * 86_400_000;
  const actions: Action[] = [];
  for (let m = 0; m < options.members; m++) {
    actions.push({ at: start + Math.floor(rnd() * span * 0.5), kind: "event", id: `signup-${m}`, memberId: `m${m}` });
  }
  for (let i = 0; i < options.orders; i++) {
    const memberId = `m${Math.floor(rnd() * options.members)}`;
    const placed = start + Math.floor(rnd() * span);
    const iso = (t: number) => new Date(t).toISOString();
    const amount = 5_000 + Math.floor(rnd() * 60) * 1_000;
    const base: Order = orderSchema.parse({ memberId, lines: [{ sku: `sku-${i % 50}`, quantity: 1, amount }], placedAt: iso(placed), paidAt: iso(placed) });
    actions.push({ at: placed, kind: "order", id: `o${i}`, order: base });
    const r = rnd();
    if (r < 0.02) {
      actions.push({ at: placed + 3_600_000, kind: "order", id: `o${i}`, order: { ...base, canceledAt: iso(placed + 3_600_000) } });
      continue;
    }
    const delivered = placed + 2 * 86_400_000;
    const deliveredOrder = { ...base, deliveredAt: iso(delivered) };
    actions.push({ at: delivered, kind: "order", id: `o${i}`, order: deliveredOrder });
    if (r < 0.07) {
      const at = delivered + Math.floor(rnd() * 20 * 86_400_000);
      const refunded = Math.floor(amount / 2);
      actions.push({ at, kind: "order", id: `o${i}`, order: { ...deliveredOrder, refunds: [{ id: "r1", lines: [], amount: refunded, at: iso(at) }] } });
    }
    if (amount >= 20_000 && rnd() < 0.15) actions.push({ at: placed, kind: "redeem", memberId, orderId: `o${i}`, points: 10 * (1 + Math.floor(rnd() * 20)) });
    if (rnd() < 0.01) actions.push({ at: placed + 86_400_000, kind: "adjust", memberId, points: rnd() < 0.7 ? 25 : -15 });
  }
  actions.sort((a, b) => a.at - b.at);

  const memberOf = (a: Action) => (a.kind === "order" ? a.order.memberId! : a.memberId);
  const runAll = async (list: readonly Action[]) => {
    await services.tx.run(async (repos) => {
      for (const a of list) {
        // A refusal (not enough points to spend or deduct) is what a real client would get: it changes nothing.
        await repos.savepoint(() => apply(repos, a)).catch((error: unknown) => {
          if (!(error instanceof Error && "code" in error)) throw error;
        });
      }
    });
  };
  const apply = async (repos: Repositories, a: Action) => {
    switch (a.kind) {
      case "order":
        await upsertOrder(repos, services, store.id, a.id, a.order, ACTOR);
        return;
      case "event":
        await recordEvents(repos, services, store.id, [{ event: { id: a.id, type: "account.registered", memberId: a.memberId, properties: {} }, fingerprint: a.id }], ACTOR);
        return;
      case "adjust":
        await adjustMember(repos, services, store.id, a.memberId, { points: a.points, reason: "goodwill" }, ACTOR);
        return;
      case "redeem": {
        const held = await redeem(repos, services, store.id, { memberId: a.memberId, methodId, points: a.points, orderId: a.orderId }, ACTOR);
        await finishRedemption(repos, services, store.id, held.id, "capture", ACTOR);
        return;
      }
    }
  };

  // The clock moves six hours at a time (inputs then come a little after their own timestamps, as
  // they do); each step's inputs run in up to `concurrency` transactions at once, one member's
  // inputs always in the same one and in time order, as clients that wait for their answers.
  const lanes = Math.max(1, options.concurrency ?? 1);
  const per = options.perTransaction ?? 1;
  let clock = start;
  let done = 0;
  for (let i = 0; i < actions.length; ) {
    const hour = Math.ceil(actions[i]!.at / STEP_MS) * STEP_MS;
    let j = i;
    while (j < actions.length && actions[j]!.at <= hour) j++;
    if (hour > clock) {
      clock = hour;
      await services.tx.run((repos) => advanceClockIn(repos, services, store.id, new Date(clock)));
    }
    const buckets: Action[][] = Array.from({ length: lanes }, () => []);
    for (const a of actions.slice(i, j)) {
      const m = memberOf(a);
      let h = 0;
      for (let k = 0; k < m.length; k++) h = (h * 31 + m.charCodeAt(k)) >>> 0;
      buckets[h % lanes]!.push(a);
    }
    await Promise.all(buckets.map(async (bucket) => {
      for (let k = 0; k < bucket.length; k += per) await runAll(bucket.slice(k, k + per));
    }));
    done += j - i;
    i = j;
    options.onProgress?.(done, actions.length);
  }
  await services.tx.run((repos) => advanceClockIn(repos, services, store.id, new Date(Math.max(clock, start + span))));
  return store.id;
}
