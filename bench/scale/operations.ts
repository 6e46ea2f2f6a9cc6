/**
 * Single operations on random members of a big store, through the services the HTTP routes call,
 * each in its own transaction as the route runs it.
 */
import { eventSchema } from "../../src/http/routes/events.ts";
import { adjustMember } from "../../src/services/adjustments.ts";
import { quoteCheckout } from "../../src/services/checkout.ts";
import type { Services } from "../../src/services/context.ts";
import { getMember, memberActivity } from "../../src/services/members.ts";
import { importProgram } from "../../src/services/program-document.ts";
import { eventFingerprint, recordEvents } from "../../src/services/record-events.ts";
import { createStore } from "../../src/services/stores.ts";
import { percentile, runLoad } from "../load.ts";
import { ACTOR } from "../scenarios.ts";
import { seededRandom } from "../../test/support/random.ts";
import { LOTS_PER_MEMBER, POINTS_PER_LOT, memberId } from "./seed.ts";

/**
 * The big store's program: points never expire (the loaded lots stay open), a `visit` event earns
 * a fixed 10 points, and cashback pays $1 per 10 points on carts over $200, at most $50.
 */
const PROGRAM = {
  name: "Scale",
  settings: { validity: { type: "never" }, expiryReminderDays: null },
  earnRules: [{ name: "Visit", event: "visit", award: { type: "fixed", points: 10 } }],
  redeemMethods: [{
    type: "cashback", name: "Redeem to cash", points: 10, amount: 100, minSubtotal: 20_000,
    maxDiscount: { type: "fixed", amount: 5_000 }, channels: ["online"],
  }],
};

const CART = {
  channel: "online",
  lines: [{ sku: "sneaker-run", quantity: 1, amount: 12_900 }, { sku: "hoodie-zip", quantity: 2, amount: 11_800 }],
  discounts: 0, credits: 0, shipping: 800,
};

/** A wall-time store running PROGRAM. */
export async function scaleStore(services: Services, name: string): Promise<string> {
  const { store } = await createStore(services, { name, currency: "USD", timezone: "UTC" }, ACTOR);
  await services.tx.run((repos) => importProgram(repos, services, store.id, PROGRAM, { dryRun: false }, ACTOR));
  return store.id;
}

export interface OpRow {
  op: string;
  ops: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

let eventSequence = 0;
const RUN = Date.now().toString(36);

/**
 * Each operation `ops` times (after a short untimed warm-up) on members picked at random among
 * the store's `members`, one caller, one operation at a time. Every call is checked to have done
 * what it stands for.
 */
export async function measureOperations(services: Services, storeId: string, members: number, ops: number, step: number): Promise<OpRow[]> {
  const pick = seededRandom(step * 7_919 + 1);
  const someone = () => memberId(Math.floor(pick() * members));
  const least = LOTS_PER_MEMBER * POINTS_PER_LOT;
  const operations: Array<[string, () => Promise<void>]> = [
    ["getMember (balance read)", async () => {
      const m = await getMember(services, storeId, someone());
      if (m.balance < least) throw new Error(`member ${m.memberId} has ${m.balance} points, fewer than were loaded`);
    }],
    ["activity, first page of 20", async () => {
      const page = await memberActivity(services, storeId, someone(), { limit: 20, cursor: null });
      if (page.data.length < LOTS_PER_MEMBER) throw new Error(`activity has ${page.data.length} entries`);
    }],
    ["adjustment +10", async () => {
      const entry = await services.tx.run((repos) => adjustMember(repos, services, storeId, someone(), { points: 10, reason: "scale bench" }, ACTOR));
      if (entry.balanceAfter < least + 10) throw new Error(`adjustment left ${entry.balanceAfter} points`);
    }],
    ["event (fixed rule), 1 per tx", async () => {
      const event = eventSchema.parse({ id: `scale-${RUN}-${++eventSequence}`, type: "visit", memberId: someone(), properties: {} });
      const [outcome] = await services.tx.run((repos) => recordEvents(repos, services, storeId, [{ event, fingerprint: eventFingerprint(event) }], ACTOR));
      if (outcome?.kind !== "recorded") throw new Error(`event was ${outcome?.kind === "refused" ? `refused: ${outcome.error.message}` : outcome?.kind}`);
    }],
    ["checkout quote", async () => {
      const quote = await quoteCheckout(services, storeId, { memberId: someone(), ...CART });
      if (quote.maxPoints <= 0) throw new Error(`quote offers no points: ${quote.reasonCode ?? ""}`);
    }],
  ];
  const rows: OpRow[] = [];
  for (const [op, run] of operations) {
    await runLoad({ concurrency: 1, maxMs: Number.POSITIVE_INFINITY, maxOps: Math.min(20, ops) }, run);
    const r = await runLoad({ concurrency: 1, maxMs: Number.POSITIVE_INFINITY, maxOps: ops }, run);
    rows.push({ op, ops: r.ops, opsPerSec: r.ops / (r.elapsedMs / 1_000), p50Ms: percentile(r.latencies, 50), p99Ms: percentile(r.latencies, 99) });
  }
  return rows;
}
