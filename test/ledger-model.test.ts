/**
 * Model-based test of the points ledger: fast-check generates random command sequences (earn,
 * spend, hold, capture/release, reverse, deduct, advance the sandbox clock, change the program),
 * runs them against the real services on each storage adapter (PGlite, PostgreSQL when
 * DATABASE_URL is set, and the in-memory adapter) and compares every observable with a small
 * in-memory model written here from the SPEC (§3 Ledger, Expiry, Redeem methods and redemptions,
 * Sandbox and test clock). The model shares no code with src/core: it is a separate, deliberately
 * plain re-statement of the rules.
 *
 * A failure prints the seed, the path, the shrunk command sequence and its replayPath; replay it with
 * FC_SEED=<seed> FC_PATH=<path> FC_REPLAY_PATH=<replayPath>. FC_NUM_RUNS changes the number of runs
 * (per adapter); FC_ADAPTER=pglite|postgres|memory runs one adapter only.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../src/core/errors.ts";
import { adjustMember } from "../src/services/adjustments.ts";
import { awardPoints, reversePoints } from "../src/services/awards.ts";
import type { Actor, Services } from "../src/services/context.ts";
import { advanceClock } from "../src/services/due-work.ts";
import { getMember } from "../src/services/members.ts";
import { patchProgram } from "../src/services/program.ts";
import { createMethod } from "../src/services/redeem-methods.ts";
import { finishRedemption, redeem } from "../src/services/redemptions.ts";
import { createStore } from "../src/services/stores.ts";
import type { Database } from "../src/storage/sql.ts";
import type { MemoryState } from "../src/storage/memory/state.ts";
import { adaptersUnderTest, openAdapter, type TestAdapter } from "./support/adapters.ts";
import { TestClock } from "./support/clock.ts";

// ---------------------------------------------------------------------------------------------
// The model: plain re-statement of the SPEC rules, all times in epoch milliseconds.
// ---------------------------------------------------------------------------------------------

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The store's zone is Asia/Taipei: UTC+8 all year, no daylight saving. */
const ZONE = "Asia/Taipei";
const ZONE_OFFSET = 8 * HOUR;
const START = Date.parse("2026-01-15T04:00:00.000Z"); // noon in Taipei
const MEMBERS = ["m0", "m1"];
const CATALOG_PRICES = [40, 150, 400];

type Policy = "allow_negative" | "floor_zero";
type ModelValidity =
  | { type: "never" }
  | { type: "rolling"; days: number }
  | { type: "rolling"; months: number }
  | { type: "fixed_date"; month: number; day: number };

interface MLot {
  /** Index of the award that created it (the order lots were created in). */
  award: number;
  member: number;
  points: number;
  remaining: number;
  pending: boolean;
  earnedAt: number;
  availableAt: number;
  expiresAt: number | null;
}

type HoldStatus = "held" | "captured" | "released";

interface MHold {
  index: number;
  member: number;
  points: number;
  status: HoldStatus;
  expiresAt: number;
  /** Where the reserved points came from, to put them back on release. */
  parts: Array<{ lot: MLot; points: number }>;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number) => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;

/** Store-local calendar months: same local day and time, clamped to the month's last day. */
function plusLocalMonths(at: number, months: number): number {
  const local = new Date(at + ZONE_OFFSET);
  const total = local.getUTCFullYear() * 12 + local.getUTCMonth() + months;
  const y = Math.floor(total / 12);
  const m = (total % 12) + 1;
  const d = Math.min(local.getUTCDate(), daysIn(y, m));
  return Date.UTC(y, m - 1, d, local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds(), local.getUTCMilliseconds()) - ZONE_OFFSET;
}

/**
 * SPEC §3 Expiry: rolling counts from when the points become available; a fixed date is the end of
 * that local day in the following year, counted from the year the points are credited to the member
 * (become available; "collected 2020-12-01, credited 2020-12-04 → 2021-12-31").
 */
function expiryOf(v: ModelValidity, availableAt: number): number | null {
  if (v.type === "never") return null;
  if (v.type === "rolling") return "days" in v ? availableAt + v.days * DAY : plusLocalMonths(availableAt, v.months);
  const year = new Date(availableAt + ZONE_OFFSET).getUTCFullYear() + 1;
  const day = v.month === 2 && v.day === 29 && !isLeap(year) ? 28 : v.day;
  return Date.UTC(year, v.month - 1, day, 23, 59, 59, 999) - ZONE_OFFSET;
}

/** Nearest expiry first, never-expiring last, older first on ties (then creation order). */
function spendingOrder(a: MLot, b: MLot): number {
  if (a.expiresAt !== b.expiresAt) {
    if (a.expiresAt === null) return 1;
    if (b.expiresAt === null) return -1;
    return a.expiresAt - b.expiresAt;
  }
  if (a.earnedAt !== b.earnedAt) return a.earnedAt - b.earnedAt;
  return a.award - b.award;
}

class MemberModel {
  exists = false;
  lots: MLot[] = [];
  holds: MHold[] = [];
  debt = 0;
  /** Sum of entry points per entry type, as the ledger should have written them. */
  sums: Record<string, number> = {};

  record(type: string, points: number): void {
    this.sums[type] = (this.sums[type] ?? 0) + points;
  }

  spendable(at: number): MLot[] {
    return this.lots.filter((l) => !l.pending && l.remaining > 0 && (l.expiresAt === null || l.expiresAt > at)).sort(spendingOrder);
  }

  balance(at: number): number {
    return this.spendable(at).reduce((s, l) => s + l.remaining, 0) - this.debt;
  }

  pending(): number {
    return this.lots.filter((l) => l.pending).reduce((s, l) => s + l.remaining, 0);
  }

  held(): number {
    return this.holds.filter((h) => h.status === "held").reduce((s, h) => s + h.points, 0);
  }

  expiring(at: number): Array<{ expiresAt: number; points: number }> {
    const byInstant = new Map<number, number>();
    for (const l of this.spendable(at)) if (l.expiresAt !== null) byInstant.set(l.expiresAt, (byInstant.get(l.expiresAt) ?? 0) + l.remaining);
    return [...byInstant].sort((a, b) => a[0] - b[0]).map(([expiresAt, points]) => ({ expiresAt, points }));
  }

  /** Takes points from spendable lots in spending order; the caller has checked there are enough. */
  take(points: number, at: number): Array<{ lot: MLot; points: number }> {
    let left = points;
    const parts: Array<{ lot: MLot; points: number }> = [];
    for (const lot of this.spendable(at)) {
      if (left === 0) break;
      const n = Math.min(left, lot.remaining);
      lot.remaining -= n;
      left -= n;
      parts.push({ lot, points: n });
    }
    if (left !== 0) throw new Error(`model: ${left} points not covered`);
    return parts;
  }

  /** New credits repay debt first. */
  repay(at: number): void {
    const n = Math.min(this.debt, this.spendable(at).reduce((s, l) => s + l.remaining, 0));
    if (n === 0) return;
    this.take(n, at);
    this.debt -= n;
  }

  /** Points stop being spendable at expiresAt. */
  expireUpTo(at: number): void {
    for (const l of this.lots) {
      if (!l.pending && l.remaining > 0 && l.expiresAt !== null && l.expiresAt <= at) {
        this.record("expire", -l.remaining);
        l.remaining = 0;
      }
    }
  }

  /** Held points go back to the lots they came from, with their original expiry. */
  returnHold(hold: MHold): void {
    hold.status = "released";
    for (const p of hold.parts) p.lot.remaining += p.points;
    this.record("release", hold.points);
  }

  /** Everything that falls due up to `to`, in time order. */
  settle(to: number): void {
    for (;;) {
      let t = Infinity;
      for (const l of this.lots) {
        if (l.pending && l.availableAt <= to) t = Math.min(t, l.availableAt);
        if (!l.pending && l.remaining > 0 && l.expiresAt !== null && l.expiresAt <= to) t = Math.min(t, l.expiresAt);
      }
      for (const h of this.holds) if (h.status === "held" && h.expiresAt <= to) t = Math.min(t, h.expiresAt);
      if (t === Infinity) return;
      this.expireUpTo(t);
      // Everything due at t arrives together; debt is then repaid from it, nearest expiry first.
      const maturing = this.lots.filter((l) => l.pending && l.availableAt <= t);
      for (const l of maturing) {
        l.pending = false;
        if (l.remaining > 0) this.record("mature", l.remaining);
      }
      const timedOut = this.holds.filter((h) => h.status === "held" && h.expiresAt <= t);
      for (const h of timedOut) this.returnHold(h);
      this.repay(t);
      // Returned points whose lot has expired by now expire at once.
      this.expireUpTo(t);
    }
  }

  /** Reversal: own lot first (pending or spendable), then other lots in spending order, then policy. */
  reverse(own: MLot, points: number, at: number, policy: Policy): number {
    let left = points;
    if (own.remaining > 0 && (own.pending || own.expiresAt === null || own.expiresAt > at)) {
      const n = Math.min(left, own.remaining);
      own.remaining -= n;
      left -= n;
    }
    for (const lot of this.spendable(at)) {
      if (left === 0) break;
      if (lot === own) continue;
      const n = Math.min(left, lot.remaining);
      lot.remaining -= n;
      left -= n;
    }
    let writtenOff = 0;
    if (left > 0 && policy === "allow_negative") this.debt += left;
    else writtenOff = left;
    this.record("reverse", -(points - writtenOff));
    if (writtenOff > 0) this.record("write_off", -writtenOff);
    return writtenOff;
  }
}

interface Model {
  now: number;
  clawback: Policy;
  validity: ModelValidity;
  holdTtlMinutes: number;
  members: MemberModel[];
  lots: MLot[];
  holds: MHold[];
}

function newModel(cfg: RunConfig): Model {
  return {
    now: START, clawback: cfg.clawback, validity: cfg.validity, holdTtlMinutes: cfg.holdTtlMinutes,
    members: MEMBERS.map(() => new MemberModel()), lots: [], holds: [],
  };
}

/** The next instant after `now` at which something falls due for anyone. */
function nextDue(m: Model): number | null {
  let t = Infinity;
  for (const mm of m.members) {
    for (const l of mm.lots) {
      if (l.pending) t = Math.min(t, l.availableAt);
      else if (l.remaining > 0 && l.expiresAt !== null) t = Math.min(t, l.expiresAt);
    }
    for (const h of mm.holds) if (h.status === "held") t = Math.min(t, h.expiresAt);
  }
  return t === Infinity || t <= m.now ? null : t;
}

/** A member to act on: mostly one that exists already, so most commands do more than get refused. */
interface Who {
  index: number;
  existing: boolean;
}

function resolve(model: Model, who: Who): number {
  if (who.existing) {
    const existing = model.members.flatMap((m, i) => (m.exists ? [i] : []));
    if (existing.length > 0) return existing[who.index % existing.length]!;
  }
  return who.index % MEMBERS.length;
}

const whoText = (who: Who, resolved: number | undefined) =>
  `${who.existing ? "existing" : "any"}#${who.index}${resolved === undefined ? "" : `=${MEMBERS[resolved]}`}`;

/**
 * An amount of points, resolved when the command runs against a base (what the member can spend,
 * or what a reversal can cover): a fixed number, quarters of the base, or the base ±1 (the edges).
 */
type Amount = { fixed: number } | { quarters: number } | { edge: -1 | 0 | 1 };

function amountOf(a: Amount, base: number): number {
  if ("fixed" in a) return a.fixed;
  if ("quarters" in a) return Math.max(1, Math.floor((base * a.quarters) / 4));
  return Math.max(1, base + a.edge);
}

function amountText(a: Amount, resolved: number | undefined): string {
  if ("fixed" in a) return String(a.fixed);
  const how = "quarters" in a ? `${a.quarters}/4 of base` : `base${a.edge >= 0 ? "+" : ""}${a.edge}`;
  return resolved === undefined ? how : `${how}=${resolved}`;
}

// ---------------------------------------------------------------------------------------------
// The real system: services on a database, one fresh sandbox store per run.
// ---------------------------------------------------------------------------------------------

interface Real {
  storeId: string;
  catalog: string[];
  cashback: string;
  /** Real lot id per award index, real redemption id per hold index. */
  lotIds: string[];
  redemptionIds: string[];
}

const ACTOR: Actor = { id: "model-test", role: "admin" };
let adapter: TestAdapter;
let services: Services;

/** Runs a service call; a refusal comes back as its code, anything else unexpected is thrown. */
async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string }> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, code: error.code };
    throw error;
  }
}

function expectOutcome(label: string, actual: { ok: boolean; code?: string }, expected: string | null): void {
  const got = actual.ok ? null : (actual as { code: string }).code;
  expect(got, `${label}: outcome`).toBe(expected);
}

/** Compares getMember with the model for one member. */
async function checkMember(model: Model, real: Real, index: number, label: string): Promise<void> {
  const mm = model.members[index]!;
  const res = await attempt(() => getMember(services, real.storeId, MEMBERS[index]!));
  if (!mm.exists) {
    expectOutcome(`${label}: getMember ${MEMBERS[index]}`, res, "not_found");
    return;
  }
  if (!res.ok) throw new Error(`${label}: getMember ${MEMBERS[index]} refused: ${res.code}`);
  const v = res.value;
  expect(
    {
      balance: v.balance, pending: v.pending, held: v.held, debt: v.debt,
      expiring: v.expiring.map((e) => ({ expiresAt: new Date(e.expiresAt).toISOString(), points: e.points })),
    },
    `${label}: member ${MEMBERS[index]}`,
  ).toEqual({
    balance: mm.balance(model.now), pending: mm.pending(), held: mm.held(), debt: mm.debt,
    expiring: mm.expiring(model.now).map((e) => ({ expiresAt: new Date(e.expiresAt).toISOString(), points: e.points })),
  });
}

const iso = (t: number) => new Date(t).toISOString();
const validityText = (v: ModelValidity | undefined) =>
  v === undefined ? "program"
    : v.type === "never" ? "never"
      : v.type === "rolling" ? ("days" in v ? `${v.days}d` : `${v.months}mo`)
        : `fixed ${v.month}/${v.day}`;

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

type Cmd = fc.AsyncCommand<Model, Real>;

class Earn implements Cmd {
  constructor(
    readonly member: number,
    readonly points: number,
    /** How far in the past the points were earned (backfill). */
    readonly backMs: number,
    /** How long after that they become available (pending until then). */
    readonly delayMs: number,
    readonly validity: ModelValidity | undefined,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const mm = model.members[this.member]!;
    const v = this.validity ?? model.validity;
    // Exact ties on (expiry, earnedAt) would leave the spending order to lot ids: keep earnedAt apart.
    const availableAt = model.now - this.backMs + this.delayMs;
    const expiresAt = expiryOf(v, availableAt);
    let earnedAt = model.now - this.backMs;
    while (mm.lots.some((l) => l.earnedAt === earnedAt && l.expiresAt === expiresAt)) earnedAt -= 1;
    const times = { earnedAt, availableAt, expiresAt };
    const award = model.lots.length;
    const res = await attempt(() =>
      services.tx.run((repos) =>
        awardPoints(repos, services, real.storeId, {
          memberId: MEMBERS[this.member]!, points: this.points, earnedAt: new Date(times.earnedAt), availableAt: new Date(times.availableAt),
          ...(this.validity ? { validity: this.validity } : {}), source: { type: "event", ref: `ev-${award}` }, reason: "model earn",
        }, ACTOR),
      ),
    );
    expectOutcome(this.toString(), res, null);
    if (!res.ok) return;
    expect(res.value.lot.expiresAt?.toISOString() ?? null, `${this} expiresAt`).toBe(times.expiresAt === null ? null : iso(times.expiresAt));
    real.lotIds.push(res.value.lot.id);

    const lot: MLot = { award, member: this.member, points: this.points, remaining: this.points, pending: times.availableAt > model.now, ...times };
    mm.exists = true;
    mm.lots.push(lot);
    model.lots.push(lot);
    if (lot.pending) {
      mm.record("pending", this.points);
    } else {
      mm.record("earn", this.points);
      mm.repay(model.now);
      mm.expireUpTo(model.now);
    }
    await checkMember(model, real, this.member, this.toString());
  }
  toString(): string {
    return `earn(${MEMBERS[this.member]}, ${this.points}, back=${this.backMs / MINUTE}min, delay=${this.delayMs / MINUTE}min, ${validityText(this.validity)})`;
  }
}

class Spend implements Cmd {
  private member: number | undefined;
  constructor(readonly who: Who, readonly item: number) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const member = (this.member = resolve(model, this.who));
    const mm = model.members[member]!;
    const price = CATALOG_PRICES[this.item]!;
    const expected = !mm.exists ? "not_found" : mm.balance(model.now) < price ? "insufficient_points" : null;
    const res = await attempt(() =>
      services.tx.run((repos) => redeem(repos, services, real.storeId, { memberId: MEMBERS[member]!, methodId: real.catalog[this.item]! }, ACTOR)),
    );
    expectOutcome(this.toString(), res, expected);
    if (expected === null && res.ok) {
      expect(res.value.status, `${this} status`).toBe("completed");
      mm.take(price, model.now);
      mm.record("redeem", -price);
    }
    await checkMember(model, real, member, this.toString());
  }
  toString(): string {
    return `spend(${whoText(this.who, this.member)}, ${CATALOG_PRICES[this.item]})`;
  }
}

class Hold implements Cmd {
  private member: number | undefined;
  private points: number | undefined;
  constructor(readonly who: Who, readonly amount: Amount) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const member = (this.member = resolve(model, this.who));
    const mm = model.members[member]!;
    const points = (this.points = amountOf(this.amount, mm.balance(model.now)));
    const expected = !mm.exists ? "not_found" : mm.balance(model.now) < points ? "insufficient_points" : null;
    const res = await attempt(() =>
      // Each hold is on an order of its own whose cart allows any balance, so only the balance limits it.
      services.tx.run((repos) => redeem(repos, services, real.storeId, {
        memberId: MEMBERS[member]!, methodId: real.cashback, points, orderId: `model-order-${real.redemptionIds.length}-${model.holds.length}-${points}`,
        cart: { lines: [{ sku: "any", quantity: 1, amount: 1_000_000_000 }], discounts: 0, credits: 0, shipping: 0 },
      }, ACTOR)),
    );
    expectOutcome(this.toString(), res, expected);
    if (expected === null && res.ok) {
      expect(res.value.status, `${this} status`).toBe("held");
      const hold: MHold = {
        index: model.holds.length, member, points, status: "held",
        expiresAt: model.now + model.holdTtlMinutes * MINUTE, parts: mm.take(points, model.now),
      };
      mm.record("hold", -points);
      mm.holds.push(hold);
      model.holds.push(hold);
      real.redemptionIds.push(res.value.id);
    }
    await checkMember(model, real, member, this.toString());
  }
  toString(): string {
    return `hold(${whoText(this.who, this.member)}, ${amountText(this.amount, this.points)})`;
  }
}

class Finish implements Cmd {
  private hold: MHold | undefined;
  constructor(readonly pick: number, readonly action: "capture" | "release") {}
  check = (model: Readonly<Model>) => model.holds.length > 0;
  async run(model: Model, real: Real): Promise<void> {
    const hold = (this.hold = model.holds[this.pick % model.holds.length]!);
    const mm = model.members[hold.member]!;
    const expected = hold.status === "held" ? null : "invalid_state";
    const res = await attempt(() =>
      services.tx.run((repos) => finishRedemption(repos, services, real.storeId, real.redemptionIds[hold.index]!, this.action, ACTOR)),
    );
    expectOutcome(this.toString(), res, expected);
    if (expected === null) {
      if (this.action === "capture") {
        hold.status = "captured";
        mm.record("capture", -hold.points);
      } else {
        mm.returnHold(hold);
        mm.repay(model.now);
        mm.expireUpTo(model.now);
      }
    }
    await checkMember(model, real, hold.member, this.toString());
  }
  toString(): string {
    const h = this.hold;
    return `${this.action}(pick ${this.pick}${h ? `=hold ${h.index} of ${MEMBERS[h.member]}, ${h.points} pts` : ""})`;
  }
}

/** Reverses (part of, or more than) an award, e.g. a refund or a cancellation. */
class Reverse implements Cmd {
  private points: number | undefined;
  private lot: MLot | undefined;
  constructor(readonly pick: number, readonly amount: Amount) {}
  check = (model: Readonly<Model>) => model.lots.length > 0;
  async run(model: Model, real: Real): Promise<void> {
    const lot = (this.lot = model.lots[this.pick % model.lots.length]!);
    const mm = model.members[lot.member]!;
    const ownCoverable = lot.remaining > 0 && (lot.pending || lot.expiresAt === null || lot.expiresAt > model.now) ? lot.remaining : 0;
    const othersCoverable = mm.spendable(model.now).filter((l) => l !== lot).reduce((n, l) => n + l.remaining, 0);
    const points = (this.points = amountOf(this.amount, ownCoverable + othersCoverable));
    const res = await attempt(() =>
      services.tx.run((repos) =>
        reversePoints(repos, services, real.storeId, {
          memberId: MEMBERS[lot.member]!, points, lotId: real.lotIds[lot.award]!,
          source: { type: "order", ref: `refund-${lot.award}` }, reason: "model reversal",
        }, ACTOR),
      ),
    );
    expectOutcome(this.toString(), res, null);
    const writtenOff = mm.reverse(lot, points, model.now, model.clawback);
    if (res.ok) expect(res.value.writtenOff, `${this} writtenOff`).toBe(writtenOff);
    await checkMember(model, real, lot.member, this.toString());
  }
  toString(): string {
    const l = this.lot;
    return `reverse(pick ${this.pick}${l ? `=award ${l.award} of ${MEMBERS[l.member]}` : ""}, ${amountText(this.amount, this.points)})`;
  }
}

/** A manual deduction (negative adjustment). */
class Deduct implements Cmd {
  private member: number | undefined;
  private points: number | undefined;
  constructor(readonly who: Who, readonly amount: Amount) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const member = (this.member = resolve(model, this.who));
    const mm = model.members[member]!;
    const before = mm.exists ? mm.balance(model.now) : 0;
    const points = (this.points = amountOf(this.amount, before));
    const expected = before < points ? "insufficient_points" : null;
    const res = await attempt(() =>
      services.tx.run((repos) => adjustMember(repos, services, real.storeId, MEMBERS[member]!, { points: -points, reason: "model deduct" }, ACTOR)),
    );
    expectOutcome(this.toString(), res, expected);
    if (expected === null) {
      mm.take(points, model.now);
      mm.record("adjust", -points);
      if (res.ok) expect(res.value.balanceAfter, `${this} balanceAfter`).toBe(mm.balance(model.now));
    }
    await checkMember(model, real, member, this.toString());
  }
  toString(): string {
    return `deduct(${whoText(this.who, this.member)}, ${amountText(this.amount, this.points)})`;
  }
}

/** Moves the sandbox clock by a duration, or to the next due instant (-1 ms, exactly, +1 ms). */
class Advance implements Cmd {
  constructor(readonly by: { ms: number } | { toNextDue: -1 | 0 | 1 }) {}
  check = (model: Readonly<Model>) => "ms" in this.by || nextDue(model as Model) !== null;
  async run(model: Model, real: Real): Promise<void> {
    const to = "ms" in this.by ? model.now + this.by.ms : nextDue(model)! + this.by.toNextDue;
    const res = await attempt(() => advanceClock(services, real.storeId, new Date(to)));
    expectOutcome(`${this} to ${iso(to)}`, res, null);
    for (const mm of model.members) mm.settle(to);
    model.now = to;
    for (let i = 0; i < MEMBERS.length; i++) if (model.members[i]!.exists) await checkMember(model, real, i, `${this} to ${iso(to)}`);
  }
  toString(): string {
    return "ms" in this.by ? `advance(${this.by.ms / MINUTE}min)` : `advanceToNextDue(${this.by.toNextDue >= 0 ? "+" : ""}${this.by.toNextDue}ms)`;
  }
}

/** Program changes apply from then on: new reversals, new lots, new holds. */
class PatchProgram implements Cmd {
  constructor(readonly patch: { clawback?: Policy; validity?: ModelValidity; holdTtlMinutes?: number }) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    await patchProgram(services, real.storeId, this.patch, ACTOR);
    if (this.patch.clawback) model.clawback = this.patch.clawback;
    if (this.patch.validity) model.validity = this.patch.validity;
    if (this.patch.holdTtlMinutes) model.holdTtlMinutes = this.patch.holdTtlMinutes;
  }
  toString(): string {
    const p = this.patch;
    return `patchProgram(${[p.clawback, p.validity && validityText(p.validity), p.holdTtlMinutes && `ttl=${p.holdTtlMinutes}min`].filter(Boolean).join(", ")})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const memberArb = fc.integer({ min: 0, max: MEMBERS.length - 1 });
const whoArb: fc.Arbitrary<Who> = fc.record({
  index: fc.integer({ min: 0, max: 5 }),
  existing: fc.oneof({ arbitrary: fc.constant(true), weight: 6 }, { arbitrary: fc.constant(false), weight: 1 }),
});
const policyArb = fc.constantFrom<Policy>("allow_negative", "floor_zero");
const validityArb: fc.Arbitrary<ModelValidity> = fc.oneof(
  fc.constant({ type: "never" as const }),
  fc.integer({ min: 1, max: 60 }).map((days) => ({ type: "rolling" as const, days })),
  fc.integer({ min: 1, max: 14 }).map((months) => ({ type: "rolling" as const, months })),
  fc.record({ type: fc.constant("fixed_date" as const), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }) }),
  fc.constantFrom(
    { type: "fixed_date" as const, month: 12, day: 31 },
    { type: "fixed_date" as const, month: 2, day: 29 },
    { type: "fixed_date" as const, month: 1, day: 31 },
  ),
);
const minutesArb = (max: number) => fc.integer({ min: 1, max }).map((n) => n * MINUTE);
const daysArb = (max: number) => fc.integer({ min: 1, max }).map((n) => n * DAY);

const earnArb = fc
  .tuple(
    memberArb,
    fc.integer({ min: 1, max: 400 }),
    // Backfill: mostly none; sometimes far enough back that the points have already expired.
    fc.oneof({ arbitrary: fc.constant(0), weight: 5 }, { arbitrary: minutesArb(600), weight: 1 }, { arbitrary: daysArb(400), weight: 1 }),
    // Delay: a few common values, so that lots often mature at the same instant.
    fc.oneof(
      { arbitrary: fc.constant(0), weight: 3 },
      { arbitrary: fc.constant(DAY), weight: 4 },
      { arbitrary: minutesArb(120), weight: 1 },
      { arbitrary: daysArb(30), weight: 1 },
    ),
    fc.option(validityArb, { nil: undefined, freq: 4 }),
  )
  .map(([m, points, back, delay, validity]) => new Earn(m, points, back, delay, validity));

const spendArb = fc.tuple(whoArb, fc.integer({ min: 0, max: CATALOG_PRICES.length - 1 })).map(([w, i]) => new Spend(w, i));
const amountArb = (max: number): fc.Arbitrary<Amount> =>
  fc.oneof(
    fc.integer({ min: 1, max }).map((fixed) => ({ fixed })),
    fc.integer({ min: 1, max: 8 }).map((quarters) => ({ quarters })),
    fc.constantFrom<-1 | 0 | 1>(-1, 0, 1).map((edge) => ({ edge })),
  );
const holdArb = fc
  .tuple(
    whoArb,
    fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 300 }).map((fixed): Amount => ({ fixed })), weight: 1 },
      { arbitrary: fc.integer({ min: 1, max: 4 }).map((quarters): Amount => ({ quarters })), weight: 2 },
      { arbitrary: fc.constantFrom<-1 | 0 | 1>(-1, 0, 1).map((edge): Amount => ({ edge })), weight: 1 },
    ),
  )
  .map(([w, a]) => new Hold(w, a));
const finishArb = fc.tuple(fc.nat(), fc.constantFrom<"capture" | "release">("capture", "release")).map(([i, a]) => new Finish(i, a));
const reverseArb = fc.tuple(fc.nat(), amountArb(600)).map(([i, a]) => new Reverse(i, a));
const deductArb = fc.tuple(whoArb, amountArb(300)).map(([w, a]) => new Deduct(w, a));
const advanceArb = fc
  .oneof(minutesArb(90), fc.integer({ min: 1, max: 48 }).map((h) => h * HOUR), daysArb(200))
  .map((ms) => new Advance({ ms }));
const advanceToDueArb = fc.constantFrom<-1 | 0 | 1>(-1, 0, 1).map((d) => new Advance({ toNextDue: d }));
const patchArb = fc
  .record({ clawback: policyArb, validity: validityArb, holdTtlMinutes: fc.integer({ min: 1, max: 120 }) }, { requiredKeys: [] })
  .filter((p) => Object.keys(p).length > 0)
  .map((p) => new PatchProgram(p));

/** fc.commands picks uniformly among these; repeats weight the mix. */
const commandArbs: Array<fc.Arbitrary<Cmd>> = [
  earnArb, earnArb, earnArb, earnArb,
  spendArb,
  holdArb, holdArb,
  finishArb, finishArb,
  reverseArb, reverseArb, reverseArb,
  deductArb,
  advanceArb,
  advanceToDueArb, advanceToDueArb,
  patchArb,
];

interface RunConfig {
  clawback: Policy;
  validity: ModelValidity;
  holdTtlMinutes: number;
}

const runConfigArb: fc.Arbitrary<RunConfig> = fc.record({
  clawback: fc.oneof({ arbitrary: fc.constant<Policy>("allow_negative"), weight: 2 }, { arbitrary: fc.constant<Policy>("floor_zero"), weight: 1 }),
  validity: fc.oneof({ arbitrary: fc.constant<ModelValidity>({ type: "never" }), weight: 2 }, { arbitrary: validityArb, weight: 1 }),
  holdTtlMinutes: fc.oneof({ arbitrary: fc.constant(30), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 120 }), weight: 1 }),
});

// ---------------------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------------------

async function setUp(cfg: RunConfig): Promise<{ model: Model; real: Real }> {
  const { store } = await createStore(services, { name: "Model store", currency: "USD", timezone: ZONE, sandbox: true, clock: new Date(START) }, ACTOR);
  const ids = await services.tx.run(async (repos) => {
    const catalog: string[] = [];
    for (const [i, points] of CATALOG_PRICES.entries()) {
      const m = await createMethod(repos, services, store.id, {
        type: "catalog", name: `Item ${i}`, points, channels: ["online"], enabled: true, grant: { sku: `sku-${i}`, units: 1, validDays: null },
      }, ACTOR);
      catalog.push(m.id);
    }
    const cashback = await createMethod(repos, services, store.id, {
      type: "cashback", name: "Cashback", points: 1, amount: 1, channels: ["online"], enabled: true, stackWithDiscounts: true,
    }, ACTOR);
    return { catalog, cashback: cashback.id };
  });
  const patch: { clawback?: Policy; validity?: ModelValidity; holdTtlMinutes?: number } = {};
  if (cfg.clawback !== "allow_negative") patch.clawback = cfg.clawback;
  if (cfg.validity.type !== "never") patch.validity = cfg.validity;
  if (cfg.holdTtlMinutes !== 30) patch.holdTtlMinutes = cfg.holdTtlMinutes;
  if (Object.keys(patch).length > 0) await patchProgram(services, store.id, patch, ACTOR);
  return { model: newModel(cfg), real: { storeId: store.id, ...ids, lotIds: [], redemptionIds: [] } };
}

/** After the sequence: every lot, the entry sums per member and type, the cashback redemptions, verify. */
async function finalChecks(model: Model, real: Real): Promise<void> {
  // Write down whatever is due but not yet written (lazily settled members), without moving time.
  await advanceClock(services, real.storeId, new Date(model.now));

  const probe = probeOf(adapter);
  const lots = await probe.lots(real.storeId);
  const byId = new Map(lots.map((l) => [l.id, l]));
  expect(lots.length, "number of lots").toBe(model.lots.length);
  for (const lot of model.lots) {
    const row = byId.get(real.lotIds[lot.award]!);
    expect(row && { remaining: Number(row.remaining), status: row.status }, `lot of award ${lot.award}`).toEqual({
      remaining: lot.remaining, status: lot.pending ? "pending" : "available",
    });
  }

  const sums = await probe.entrySums(real.storeId);
  for (const [i, mm] of model.members.entries()) {
    const mine = sums.filter((s) => s.member_id === MEMBERS[i]);
    const deltas = mine.reduce((s, r) => s + Number(r.delta), 0);
    expect(deltas, `${MEMBERS[i]}: sum of entry deltas`).toBe(mm.exists ? mm.balance(model.now) : 0);
    const actual = Object.fromEntries(mine.map((r) => [r.type, Number(r.points)]).filter(([, p]) => p !== 0));
    const expected = Object.fromEntries(Object.entries(mm.sums).filter(([, p]) => p !== 0));
    expect(actual, `${MEMBERS[i]}: entry points per type`).toEqual(expected);
  }

  const redemptions = await probe.cashbackRedemptions(real.storeId);
  const status = new Map(redemptions.map((r) => [r.id, r.status]));
  expect(redemptions.length, "number of cashback redemptions").toBe(model.holds.length);
  for (const h of model.holds) {
    expect(status.get(real.redemptionIds[h.index]!), `redemption of hold ${h.index}`).toBe(h.status === "captured" ? "completed" : h.status);
  }

  expect(await adapter.verify(real.storeId)).toEqual([]);
}

/** What the final checks read underneath the ports: one store's lots, entry sums and cashback redemptions. */
interface Probe {
  lots(storeId: string): Promise<Array<{ id: string; remaining: number; status: string }>>;
  entrySums(storeId: string): Promise<Array<{ member_id: string; type: string; points: number; delta: number }>>;
  cashbackRedemptions(storeId: string): Promise<Array<{ id: string; status: string }>>;
}

function probeOf(a: TestAdapter): Probe {
  return a.kind === "memory" ? memoryProbe(a.state) : sqlProbe(a.db);
}

function sqlProbe(db: Database): Probe {
  return {
    lots: (storeId) => db.query("SELECT id, remaining, status FROM lots WHERE store_id = $1", [storeId]),
    entrySums: (storeId) =>
      db.query("SELECT member_id, type, sum(points) AS points, sum(delta) AS delta FROM entries WHERE store_id = $1 GROUP BY 1, 2", [storeId]),
    cashbackRedemptions: (storeId) => db.query("SELECT id, status FROM redemptions WHERE store_id = $1 AND type = 'cashback'", [storeId]),
  };
}

function memoryProbe(state: MemoryState): Probe {
  const tenant = (storeId: string) => state.tenants.get(storeId);
  return {
    lots: async (storeId) => [...(tenant(storeId)?.lots.values() ?? [])].map((l) => ({ id: l.id, remaining: l.remaining, status: l.status })),
    entrySums: async (storeId) => {
      const sums = new Map<string, { member_id: string; type: string; points: number; delta: number }>();
      for (const e of tenant(storeId)?.entries.values() ?? []) {
        const key = `${e.memberId}\u0000${e.type}`;
        const sum = sums.get(key) ?? sums.set(key, { member_id: e.memberId, type: e.type, points: 0, delta: 0 }).get(key)!;
        sum.points += e.points;
        sum.delta += e.delta;
      }
      return [...sums.values()];
    },
    cashbackRedemptions: async (storeId) =>
      [...(tenant(storeId)?.redemptions.values() ?? [])].filter((r) => r.type === "cashback").map((r) => ({ id: r.id, status: r.status })),
  };
}

/**
 * Two sequences always run first: points arriving at one instant (two lots maturing, two holds
 * timing out) while the member owes points repay the debt nearest-expiry first, whichever lot or
 * hold the database happens to return first.
 */
const never = { type: "never" } as const;
const tenDays = { type: "rolling", days: 10 } as const;
const baseConfig: RunConfig = { clawback: "allow_negative", validity: never, holdTtlMinutes: 30 };
const examples: Array<[RunConfig, Earn[], Cmd[]]> = [
  [
    baseConfig,
    [new Earn(0, 100, 0, DAY, never), new Earn(0, 100, 0, DAY, tenDays), new Earn(0, 100, 0, 0, never)],
    [new Reverse(2, { fixed: 150 }), new Advance({ ms: DAY }), new Advance({ ms: 20 * DAY })],
  ],
  [
    baseConfig,
    [new Earn(0, 100, 0, 0, never)],
    [
      new Hold({ index: 0, existing: true }, { fixed: 100 }), new Earn(0, 100, 0, 0, tenDays),
      new Hold({ index: 0, existing: true }, { fixed: 100 }), new Earn(0, 50, 0, 0, never),
      new Reverse(2, { fixed: 100 }), new Advance({ ms: 31 * MINUTE }), new Advance({ ms: 20 * DAY }),
    ],
  ],
];

// The adapters run one after another; the commands reach the current one through `services`.
const adapters = adaptersUnderTest().filter((kind) => !process.env.FC_ADAPTER || kind === process.env.FC_ADAPTER);
for (const kind of adapters) describe(`ledger model (${kind})`, () => {
  beforeAll(async () => {
    adapter = await openAdapter(kind);
    services = { tx: adapter.tx, clock: new TestClock() };
  });
  afterAll(async () => adapter?.close());

  it(`random command sequences on the real services match the model (${kind})`, async () => {
    const env = process.env;
    const commands = fc.commands(commandArbs, {
      maxCommands: 15,
      size: "max",
      ...(env.FC_REPLAY_PATH ? { replayPath: env.FC_REPLAY_PATH } : {}),
    });
    // A run opens with one to three awards, so that most commands find members with points.
    const opening = fc.array(earnArb, { minLength: 1, maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(runConfigArb, opening, commands, async (cfg, first, cmds) => {
        let state: { model: Model; real: Real } | undefined;
        await fc.asyncModelRun(async () => (state = await setUp(cfg)), [...first, ...cmds]);
        await finalChecks(state!.model, state!.real);
      }),
      {
        numRuns: env.FC_NUM_RUNS ? Number(env.FC_NUM_RUNS) : 1000,
        examples,
        ...(env.FC_SEED ? { seed: Number(env.FC_SEED) } : {}),
        ...(env.FC_PATH ? { path: env.FC_PATH } : {}),
      },
    );
  }, 20 * 60_000);
});
