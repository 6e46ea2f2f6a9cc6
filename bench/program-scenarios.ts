/**
 * Scenarios on a store running a real program (a preset from presets/): event ingestion with the
 * saas-usage rules, order upserts with the member-points rule, and checkout (quote, hold + capture).
 * Each calls the same service, in the same transactions, as the HTTP route it stands for, and
 * parses the body with the route's schema first (the event fingerprint is computed from the parsed
 * event, as POST /v1/events does).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { orderSchema } from "../src/core/orders/order.ts";
import { eventSchema } from "../src/http/routes/events.ts";
import { bulkAdjust } from "../src/services/adjustments.ts";
import { quoteCheckout } from "../src/services/checkout.ts";
import type { Services } from "../src/services/context.ts";
import { upsertOrder } from "../src/services/orders.ts";
import { importProgram } from "../src/services/program-document.ts";
import { eventFingerprint, recordEvents } from "../src/services/record-events.ts";
import { finishRedemption, redeem } from "../src/services/redemptions.ts";
import { createStore } from "../src/services/stores.ts";
import type { Database } from "../src/storage/sql.ts";
import { runLoad } from "./load.ts";
import { ACTOR, memberIds, row, servicesFor, WARM_UP, type BenchRow, type BenchSettings } from "./scenarios.ts";

type Preset = "saas-usage" | "member-points";

const presetDocument = (name: Preset): unknown =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../presets/${name}.json`, import.meta.url)), "utf8"));

/** Makes every event, order and redemption id of this run unique, across scenarios and databases. */
const RUN = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
let sequence = 0;
const nextId = (prefix: string) => `${prefix}-${RUN}-${++sequence}`;

/** A deterministic number in [0, 1) for an integer (32-bit finalizer), so every run sends the same mix. */
function unit(n: number): number {
  let x = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}
const pick = (n: number, max: number) => Math.floor(unit(n) * max);

/** A fresh sandbox store (its clock stands at the time it was made) running the preset. */
async function presetStore(services: Services, preset: Preset, options: { currency: string; timezone: string }) {
  const { store } = await createStore(services, { name: `Bench ${preset}`, ...options, sandbox: true }, ACTOR);
  await services.tx.run((repos) => importProgram(repos, services, store.id, presetDocument(preset), { dryRun: false }, ACTOR));
  return { storeId: store.id, now: store.clockNow! };
}

// ---------------------------------------------------------------------------------------------
// Events (saas-usage)

/**
 * Event `n` as a client would send it: a usage mix over the members (a member may appear twice at
 * once), dated within the ten minutes before the store's clock.
 * login 40 %, products.listed 25 % (1–40 products), orders.shipped 20 % (1–10 orders, a quarter
 * through an external channel, which earns nothing), emails.processed 10 % (1–20),
 * feedback.submitted 5 %.
 */
function usageEvent(n: number, members: readonly string[], now: Date): Record<string, unknown> {
  const r = unit(n * 4);
  const memberId = members[pick(n * 4 + 1, members.length)]!;
  const occurredAt = new Date(now.getTime() - pick(n * 4 + 2, 600) * 1_000).toISOString();
  const count = (max: number) => 1 + pick(n * 4 + 3, max);
  const [type, properties]: [string, Record<string, unknown>] =
    r < 0.40 ? ["login", {}]
      : r < 0.65 ? ["products.listed", { count: count(40), marketplace: "amazon-us" }]
        : r < 0.85 ? ["orders.shipped", { count: count(10), via: unit(n * 4 + 5) < 0.75 ? "sellingpilot" : "external" }]
          : r < 0.95 ? ["emails.processed", { count: count(20) }]
            : ["feedback.submitted", { rating: 1 + pick(n * 4 + 6, 5), text: "Works well, the bulk editor could be faster." }];
  return { id: nextId("evt"), type, memberId, occurredAt, channel: "online", properties };
}

/** What POST /v1/events and /v1/events/batch do before the transaction: parse, then fingerprint. */
function parsedBatch(raws: ReadonlyArray<Record<string, unknown>>) {
  return raws.map((raw) => {
    const event = eventSchema.parse(raw);
    return { event, fingerprint: eventFingerprint(event) };
  });
}

async function record(services: Services, storeId: string, raws: ReadonlyArray<Record<string, unknown>>) {
  const batch = parsedBatch(raws);
  const outcomes = await services.tx.run((repos) => recordEvents(repos, services, storeId, batch, ACTOR));
  for (const o of outcomes) {
    if (o.kind === "refused") throw new Error(`event ${o.eventId} refused: ${o.error.message}`);
    if (o.kind !== "recorded") throw new Error(`event ${o.eventId} was ${o.kind}, not recorded: the ids must be new`);
  }
}

/** A saas-usage store whose members have all registered (one untimed batch of account.registered). */
async function usageStore(services: Services, members: readonly string[], batchSize: number) {
  const store = await presetStore(services, "saas-usage", { currency: "CNY", timezone: "Asia/Shanghai" });
  for (let i = 0; i < members.length; i += batchSize) {
    await record(services, store.storeId, members.slice(i, i + batchSize).map((memberId) => ({
      id: nextId("evt"), type: "account.registered", memberId, occurredAt: new Date(store.now.getTime() - 86_400_000).toISOString(), properties: {},
    })));
  }
  return store;
}

/** (d) One event per transaction (POST /v1/events), the saas-usage mix over the members; one store for both concurrencies. */
export async function singleEvents(name: string, db: Database, concurrencies: readonly number[], s: BenchSettings): Promise<BenchRow[]> {
  const services = servicesFor(db);
  const members = memberIds(s.members);
  const { storeId, now } = await usageStore(services, members, s.batchSize);
  let n = 0;
  const post = () => record(services, storeId, [usageEvent(n++, members, now)]);
  const rows: BenchRow[] = [];
  for (const concurrency of concurrencies) {
    await runLoad({ ...WARM_UP, concurrency }, post);
    rows.push(row(name, "event (saas-usage), 1 per tx", concurrency, await runLoad({ concurrency, maxMs: s.programMaxMs, maxOps: s.maxOps }, post)));
  }
  return rows;
}

/** (e) Batches of events in one transaction (POST /v1/events/batch), the same mix. */
export async function batchedEvents(name: string, db: Database, s: BenchSettings): Promise<BenchRow> {
  const services = servicesFor(db);
  const members = memberIds(s.members);
  const { storeId, now } = await usageStore(services, members, s.batchSize);
  let n = 0;
  const post = () => record(services, storeId, Array.from({ length: s.batchSize }, () => usageEvent(n++, members, now)));
  const result = await runLoad({ concurrency: 1, maxMs: s.programMaxMs, maxOps: s.maxOps }, post);
  return row(name, `events (saas-usage), ${s.batchSize} per tx`, 1, result, s.batchSize);
}

// ---------------------------------------------------------------------------------------------
// Orders and checkout (member-points)

const SKUS = [
  ["tee-basic", 1_990], ["hoodie-zip", 5_900], ["sneaker-run", 12_900], ["cap-logo", 2_500],
  ["socks-3pk", 1_200], ["jacket-rain", 18_900], ["bag-tote", 3_500], ["gift-card-50", 5_000],
] as const;

/** Order `n`, paid and delivered (the rule awards on delivery), as PUT /v1/orders/:id receives it: 1–4 lines. */
function deliveredOrder(n: number, memberId: string, now: Date): Record<string, unknown> {
  const lines = Array.from({ length: 1 + pick(n * 3, 4) }, (_, l) => {
    const [sku, price] = SKUS[pick(n * 3 + 1 + l * 7, SKUS.length - 1)]!;
    const quantity = 1 + pick(n * 3 + 2 + l * 7, 2);
    return { sku, quantity, amount: price * quantity };
  });
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
  return {
    memberId, channel: "online", currency: "USD", lines, shipping: 800, status: "delivered",
    placedAt: at(2 * 24 * 60), paidAt: at(2 * 24 * 60 - 1), fulfilledAt: at(24 * 60), deliveredAt: at(30), updatedAt: at(30),
  };
}

/** A member-points store whose members hold `rounds` credits of `points` each. */
async function memberPointsStore(services: Services, members: readonly string[], s: BenchSettings, rounds: number, points: number) {
  const store = await presetStore(services, "member-points", { currency: "USD", timezone: "America/New_York" });
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < members.length; i += s.batchSize) {
      const ids = members.slice(i, i + s.batchSize);
      await services.tx.run((repos) => bulkAdjust(repos, services, store.storeId, { memberIds: ids, points, reason: "bench seed" }, ACTOR));
    }
  }
  return store;
}

/** (f) PUT /v1/orders/:id of new, paid and delivered orders, one per transaction, members round-robin; one store. */
export async function orderUpserts(name: string, db: Database, concurrencies: readonly number[], s: BenchSettings): Promise<BenchRow[]> {
  const services = servicesFor(db);
  const members = memberIds(s.members);
  const { storeId, now } = await memberPointsStore(services, members, s, 3, 100);
  let n = 0;
  const put = async () => {
    const i = n++;
    const order = orderSchema.parse(deliveredOrder(i, members[i % members.length]!, now));
    const view = await services.tx.run((repos) => upsertOrder(repos, services, storeId, nextId("ord"), order, ACTOR));
    if (view.awards.length !== 1 || view.points.pending <= 0) throw new Error(`order earned no pending points: ${JSON.stringify(view.points)}`);
  };
  const rows: BenchRow[] = [];
  for (const concurrency of concurrencies) {
    await runLoad({ ...WARM_UP, concurrency }, put);
    rows.push(row(name, "order PUT (member-points)", concurrency, await runLoad({ concurrency, maxMs: s.programMaxMs, maxOps: s.maxOps }, put)));
  }
  return rows;
}

/** Carts over the $200 threshold of the member-points cashback (so every quote has points to offer). */
const CARTS = [
  { lines: [{ sku: "sneaker-run", quantity: 1, amount: 12_900 }, { sku: "hoodie-zip", quantity: 2, amount: 11_800 }, { sku: "socks-3pk", quantity: 1, amount: 1_200 }], discounts: 0, credits: 0, shipping: 800 },
  { lines: [{ sku: "jacket-rain", quantity: 1, amount: 18_900 }, { sku: "cap-logo", quantity: 1, amount: 2_500 }, { sku: "gift-card-50", quantity: 1, amount: 5_000, giftCard: true }], discounts: 1_000, credits: 0, shipping: 0 },
  { lines: [{ sku: "tee-basic", quantity: 4, amount: 7_960 }, { sku: "bag-tote", quantity: 2, amount: 7_000 }, { sku: "sneaker-run", quantity: 1, amount: 12_900 }, { sku: "socks-3pk", quantity: 2, amount: 2_400 }], discounts: 0, credits: 500, shipping: 800 },
];
/** Points each hold spends: 10 points = $1 in member-points, so $15 off. */
const HOLD_POINTS = 150;
const SEED_ROUNDS = 3;
const SEED_POINTS = 1_000;

/**
 * (g) POST /v1/checkout/quote for members with balances, and (h) POST /v1/redemptions (a cashback
 * hold on the cart) followed by POST /v1/redemptions/:id/capture, each in its own transaction; one
 * op is the pair. One member-points store for all of them, members round-robin.
 */
export async function checkout(name: string, db: Database, concurrencies: readonly number[], s: BenchSettings): Promise<BenchRow[]> {
  const services = servicesFor(db);
  const members = memberIds(s.members);
  const { storeId } = await memberPointsStore(services, members, s, SEED_ROUNDS, SEED_POINTS);
  const methodId = (await services.tx.run((repos) => repos.redemptions.listMethods(storeId, 500, null))).data
    .find((m) => (m.config as { type?: string }).type === "cashback")!.id;
  const rows: BenchRow[] = [];

  let q = 0;
  const quote = async () => {
    const i = q++;
    const view = await quoteCheckout(services, storeId, { memberId: members[i % members.length]!, channel: "online", ...CARTS[i % CARTS.length]! });
    if (view.maxPoints <= 0) throw new Error(`quote offers no points: ${view.reasonCode ?? ""} ${view.reason ?? ""}`);
  };
  for (const concurrency of concurrencies) {
    await runLoad({ ...WARM_UP, concurrency }, quote);
    rows.push(row(name, "checkout quote", concurrency, await runLoad({ concurrency, maxMs: s.programMaxMs, maxOps: s.maxOps }, quote)));
  }

  // Every member can pay for this many pairs; the op cap keeps the run from ever running out.
  let pairsLeft = members.length * Math.floor((SEED_ROUNDS * SEED_POINTS) / HOLD_POINTS);
  let p = 0;
  const pair = async () => {
    const i = p++;
    const input = { memberId: members[i % members.length]!, methodId, points: HOLD_POINTS, orderId: nextId("chk"), channel: "online", cart: CARTS[i % CARTS.length]! };
    const held = await services.tx.run((repos) => redeem(repos, services, storeId, input, ACTOR));
    if (held.status !== "held") throw new Error(`redemption is ${held.status}, not held`);
    const captured = await services.tx.run((repos) => finishRedemption(repos, services, storeId, held.id, "capture", ACTOR));
    if (captured.status !== "completed") throw new Error(`redemption is ${captured.status} after capture`);
  };
  for (const concurrency of concurrencies) {
    const warm = await runLoad({ ...WARM_UP, maxOps: Math.min(WARM_UP.maxOps, pairsLeft), concurrency }, pair);
    pairsLeft -= warm.ops;
    const result = await runLoad({ concurrency, maxMs: s.programMaxMs, maxOps: Math.min(s.maxOps, pairsLeft) }, pair);
    pairsLeft -= result.ops;
    rows.push(row(name, "hold + capture (2 tx)", concurrency, result));
  }
  return rows;
}
