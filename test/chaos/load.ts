import { Unanswered, type Answer, type RetryingClient } from "./http.ts";
import type { Journal, HoldWrite, OrderPoints, OrderWrite } from "./journal.ts";
import { TICK_EVENT, type ChaosStore } from "./setup.ts";

/**
 * The load: client loops that each send one logical write after another (an event, an order and
 * its later updates, an adjustment, a cashback hold and its capture or release). A logical write
 * has one identity (event id, order id, Idempotency-Key) that is used for its first attempt and
 * every retry of it, and for nothing else, so it is correct under any idempotency scoping.
 */

export interface LoadContext {
  client: RetryingClient;
  store: ChaosStore;
  journal: Journal;
  /** Makes ids and keys unique to this run. */
  runId: string;
}

const int = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const now = () => new Date().toISOString();

/** JSON with sorted keys: a stored answer comes back from jsonb with its keys in another order. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => Array.isArray(v) ? v.map(sort)
    : v !== null && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]))
      : v;
  return JSON.stringify(sort(value));
}

/**
 * Notes an answer that came from an earlier attempt's stored outcome, and, when the client threw
 * the first answer away, that the retry said the same: the same status (an event replay answers
 * 200 where the first answer was 201) and the same body (`compare` picks what must match).
 */
function noteRetry(ctx: LoadContext, what: string, answer: Answer, opts: { event?: boolean; compare?: (body: any) => unknown } = {}): void {
  if (answer.replayed || (opts.event && answer.status === 200)) ctx.journal.replays++;
  const lost = answer.lost;
  // A 422 refused before anything was applied (an event's id is then released): a retry runs afresh.
  if (!lost || lost.status === 422) return;
  ctx.journal.lostAnswers++;
  const pickOf = opts.compare ?? ((body: unknown) => body);
  const statusOk = answer.status === lost.status || (opts.event === true && lost.status === 201 && answer.status === 200);
  if (!statusOk || canonical(pickOf(answer.body)) !== canonical(pickOf(lost.body))) {
    ctx.journal.lostAnswerMismatches.push(`${what}: first ${lost.status} ${canonical(lost.body).slice(0, 200)}, retry ${answer.status} ${canonical(answer.body).slice(0, 200)}`);
  }
}

function unexpected(ctx: LoadContext, what: string, answer: Answer): void {
  ctx.journal.unexpected.push(`${what} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
}

/** A business refusal the request may legitimately get, by problem code. */
function refusal(answer: Answer, status: number, codes: string[]): string | null {
  const code = answer.body?.code;
  return answer.status === status && typeof code === "string" && codes.includes(code) ? code : null;
}

async function sendEvent(ctx: LoadContext, tag: string): Promise<void> {
  const id = `ev-${tag}`;
  const memberId = pick(ctx.store.members);
  const units = int(1, 15);
  const body = { id, type: TICK_EVENT, memberId, occurredAt: now(), properties: { units } };
  const answer = await ctx.client.send("POST", "/v1/events", { token: ctx.store.token, body });
  // An event id is its own idempotency key: a replay answers 200 instead of 201.
  noteRetry(ctx, `POST /v1/events ${id}`, answer, { event: true });
  // 201 the first time; 200 when a retry finds that an earlier attempt was recorded after all.
  if ((answer.status === 201 || answer.status === 200) && answer.body?.eventId === id && Array.isArray(answer.body.awards)) {
    const awards = (answer.body.awards as Array<{ ruleId: string; points: number }>).map((a) => ({ ruleId: a.ruleId, points: a.points }));
    ctx.journal.events.push({ id, memberId, units, awards, points: awards.reduce((s, a) => s + a.points, 0) });
  } else {
    unexpected(ctx, `POST /v1/events ${id}`, answer);
  }
}

async function sendAdjustment(ctx: LoadContext, tag: string, memberId = pick(ctx.store.members), points?: number): Promise<void> {
  const key = `adj-${tag}`;
  // Mostly credits; deductions now and then, a few too large to be allowed.
  const roll = Math.random();
  const p = points ?? (roll < 0.65 ? int(1, 300) : roll < 0.95 ? -int(1, 400) : -int(3000, 9000));
  // The key in the reason lets the check find the entry (and any duplicate of it) in the ledger.
  const reason = `chaos ${key}`;
  const answer = await ctx.client.send("POST", `/v1/members/${memberId}/adjustments`, {
    token: ctx.store.token, body: { points: p, reason }, idempotencyKey: key,
  });
  noteRetry(ctx, `POST adjustment ${key}`, answer);
  if (answer.status === 201 && typeof answer.body?.id === "string" && answer.body.points === p) {
    ctx.journal.adjustments.push({ key, memberId, points: p, reason, outcome: { applied: true, entryId: answer.body.id } });
    return;
  }
  const code = p < 0 ? refusal(answer, 409, ["insufficient_points"]) : null;
  if (code) ctx.journal.adjustments.push({ key, memberId, points: p, reason, outcome: { applied: false, code } });
  else unexpected(ctx, `POST adjustment ${key} (${p})`, answer);
}

/** Seeds a member's balance through the same journaled path as the load's adjustments. */
export function seedMember(ctx: LoadContext, memberId: string): Promise<void> {
  return sendAdjustment(ctx, `seed-${ctx.runId}-${memberId}`, memberId, 2_000);
}

async function sendOrder(ctx: LoadContext, tag: string): Promise<void> {
  const id = `ord-${tag}`;
  const memberId = pick(ctx.store.members);
  const amount = int(1_000, 60_000);
  const at = now();
  const order: Record<string, unknown> = {
    memberId, lines: [{ sku: "chaos-item", quantity: 1, amount }], shipping: 500, placedAt: at, paidAt: at, deliveredAt: at,
  };
  const record: OrderWrite = { id, memberId, steps: [] };
  // The order is created delivered (the preset's award moment); half of them change once more.
  const changes: Array<[string, Record<string, unknown>]> = [["delivered", order]];
  if (Math.random() < 0.5) {
    const later = now();
    changes.push(pick([
      ["edited", { ...order, lines: [{ sku: "chaos-item", quantity: 2, amount: amount + int(1_000, 30_000) }] }],
      ["refunded", { ...order, refunds: [{ id: "r1", amount: int(1, amount), at: later }] }],
      ["canceled", { ...order, canceledAt: later }],
    ] as Array<[string, Record<string, unknown>]>));
  }
  try {
    for (const [change, body] of changes) {
      // PUT sets the whole order, so it is idempotent without a key: a retry sets the same state.
      const answer = await ctx.client.send("PUT", `/v1/orders/${id}`, { token: ctx.store.token, body });
      // The same whole order again must reconcile to the same points, without a second award.
      noteRetry(ctx, `PUT /v1/orders/${id} (${change})`, answer, { compare: (b) => b?.points });
      if (answer.status !== 200 || answer.body?.id !== id || typeof answer.body.points !== "object") {
        unexpected(ctx, `PUT /v1/orders/${id} (${change})`, answer);
        return;
      }
      const p = answer.body.points as OrderPoints;
      record.steps.push({ change, points: { earned: p.earned, pending: p.pending, reversed: p.reversed, redeemed: p.redeemed } });
    }
  } finally {
    if (record.steps.length > 0) ctx.journal.orders.push(record);
  }
}

async function sendHold(ctx: LoadContext, tag: string): Promise<void> {
  const key = `hold-${tag}`;
  const memberId = pick(ctx.store.members);
  const orderId = `cart-${tag}`;
  const points = 10 * int(1, 30);
  const body = {
    memberId, methodId: ctx.store.cashbackMethodId, points, orderId,
    cart: { lines: [{ sku: "chaos-item", quantity: 1, amount: 50_000 }], shipping: 500 },
  };
  const answer = await ctx.client.send("POST", "/v1/redemptions", { token: ctx.store.token, body, idempotencyKey: key });
  noteRetry(ctx, `POST /v1/redemptions ${key}`, answer);
  const hold: HoldWrite = { key, memberId, orderId, points, outcome: { applied: false, code: "" }, finishes: [] };
  if (answer.status === 201 && answer.body?.status === "held" && typeof answer.body.id === "string" && answer.body.points === points) {
    hold.outcome = { applied: true, redemptionId: answer.body.id };
  } else {
    // Not enough points, or past what the order allows for all its cashback together.
    const code = refusal(answer, 409, ["insufficient_points", "exceeds_order_limit"]);
    if (!code) return unexpected(ctx, `POST /v1/redemptions ${key}`, answer);
    hold.outcome = { applied: false, code };
  }
  ctx.journal.holds.push(hold);
  if (!hold.outcome.applied) return;

  // Capture (the order was paid), release (it was canceled), or leave it held.
  const roll = Math.random();
  if (roll >= 0.85) return;
  const first = roll < 0.45 ? "capture" : "release";
  await finish(ctx, hold, first, `${first}-${tag}`, true);
  // Now and then the other action too, with a key of its own: it must be refused, never applied.
  if (Math.random() < 0.2) await finish(ctx, hold, first === "capture" ? "release" : "capture", `second-${tag}`, false);
}

async function finish(ctx: LoadContext, hold: HoldWrite, action: "capture" | "release", key: string, first: boolean): Promise<void> {
  if (!hold.outcome.applied) return;
  const id = hold.outcome.redemptionId;
  const answer = await ctx.client.send("POST", `/v1/redemptions/${id}/${action}`, { token: ctx.store.token, body: {}, idempotencyKey: key });
  noteRetry(ctx, `POST /v1/redemptions/${id}/${action} ${key}`, answer);
  const status = action === "capture" ? "completed" : "released";
  if (first && answer.status === 200 && answer.body?.status === status) {
    hold.finishes.push({ key, action, outcome: { applied: true, status } });
  } else if (!first && refusal(answer, 409, ["invalid_state"])) {
    hold.finishes.push({ key, action, outcome: { applied: false, code: "invalid_state" } });
  } else {
    unexpected(ctx, `POST /v1/redemptions/${id}/${action} (${first ? "first" : "second"} finish, key ${key})`, answer);
  }
}

const OPERATIONS: Array<[number, (ctx: LoadContext, tag: string) => Promise<void>]> = [
  [0.35, sendEvent],
  [0.2, sendAdjustment],
  [0.15, sendOrder],
  [0.3, sendHold],
];

/**
 * One client loop: logical writes one after another until told to stop or `maxOps` is reached.
 * A write in progress when the stop comes is finished (retried until answered), never dropped.
 */
export async function clientLoop(ctx: LoadContext, worker: number, stop: () => boolean, maxOps: number): Promise<void> {
  for (let n = 0; n < maxOps && !stop(); n++) {
    let roll = Math.random();
    const [, operation] = OPERATIONS.find(([weight]) => (roll -= weight) < 0) ?? OPERATIONS[0]!;
    const tag = `${ctx.runId}-w${worker}-${n}`;
    try {
      await operation(ctx, tag);
    } catch (error) {
      if (!(error instanceof Unanswered)) throw error;
      ctx.journal.unanswered.push(error.message);
    }
  }
}
