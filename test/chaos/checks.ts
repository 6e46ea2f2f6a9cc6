import { spawn } from "node:child_process";
import type pg from "pg";
import type { RetryingClient } from "./http.ts";
import { Journal, type OrderPoints } from "./journal.ts";
import { CLI, ROOT } from "./server.ts";
import { UNIT_PER, UNIT_POINTS, type ChaosStore } from "./setup.ts";

/**
 * The checks after the storm: every acknowledged write is in the ledger exactly once, every
 * refused one left no trace, the figures the API shows add up to what the clients were told, and
 * `pointbook verify` finds the ledger consistent. They read through the public API and with SQL
 * on the run's own database.
 */

export interface CheckResult {
  name: string;
  ok: boolean;
  /** Acknowledged writes (or items) this check looked at. */
  checked: number;
  /** Writes found applied more than once. */
  duplicates: number;
  problems: string[];
}

class Check {
  checked = 0;
  duplicates = 0;
  problems: string[] = [];
  constructor(readonly name: string) {}

  /** Records a problem unless `ok`. */
  expect(ok: boolean, problem: () => string): void {
    if (!ok) this.problems.push(problem());
  }

  result(): CheckResult {
    return { name: this.name, ok: this.problems.length === 0 && this.duplicates === 0, checked: this.checked, duplicates: this.duplicates, problems: this.problems };
  }
}

type Row = Record<string, unknown>;
const byKey = <T extends Row>(rows: T[], key: keyof T) => new Map(rows.map((r) => [String(r[key]), r]));
const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);

export interface CheckInputs {
  journal: Journal;
  store: ChaosStore;
  client: RetryingClient;
  db: pg.Client;
}

/** Events: each acknowledged id is recorded once, with the points and awards it was answered with. */
async function checkEvents({ journal, store, db }: CheckInputs): Promise<CheckResult> {
  const c = new Check("events: each acknowledged event recorded once, with its acknowledged awards");
  const rows = (await db.query("SELECT id, member_id, points FROM events WHERE store_id = $1", [store.storeId])).rows as Array<{ id: string; member_id: string; points: number }>;
  const events = byKey(rows, "id");
  const credits = byKey((await db.query(
    `SELECT source_ref, count(*)::int AS n, sum(points)::int AS points FROM entries
     WHERE store_id = $1 AND source_type = 'event' AND type IN ('earn', 'pending') GROUP BY source_ref`, [store.storeId])).rows as Array<{ source_ref: string; n: number; points: number }>, "source_ref");
  for (const e of journal.events) {
    c.checked++;
    const row = events.get(e.id);
    c.expect(row !== undefined, () => `event ${e.id} was acknowledged but is not recorded`);
    if (row) c.expect(row.member_id === e.memberId && row.points === e.points, () => `event ${e.id}: recorded ${row.points} points for ${row.member_id}, acknowledged ${e.points} for ${e.memberId}`);
    const credit = credits.get(e.id) ?? { n: 0, points: 0 };
    const awarded = e.awards.filter((a) => a.points > 0).length;
    if (credit.n > awarded) c.duplicates += credit.n - awarded;
    c.expect(credit.n === awarded && credit.points === e.points, () => `event ${e.id}: ${credit.n} credit entries worth ${credit.points}, acknowledged ${awarded} awards worth ${e.points}`);
  }
  const acknowledged = new Set(journal.events.map((e) => e.id));
  const extra = rows.filter((r) => !acknowledged.has(r.id));
  c.expect(extra.length === 0, () => `${extra.length} recorded events were never acknowledged: ${extra.slice(0, 3).map((r) => r.id).join(", ")}`);
  return c.result();
}

/**
 * The per_unit rule counts units across events: its lifetime counter must hold exactly the units of
 * the acknowledged events, and its points the floor of that total (an event counted twice shifts both).
 */
async function checkUnitCounters({ journal, store, db }: CheckInputs): Promise<CheckResult> {
  const c = new Check("per_unit counters: units and points per member match the acknowledged events");
  const counters = byKey((await db.query(
    `SELECT member_id, units, points, times FROM rule_counters WHERE store_id = $1 AND rule_id = $2 AND period = 'lifetime'`,
    [store.storeId, store.unitsRuleId])).rows as Array<{ member_id: string; units: number; points: number; times: number }>, "member_id");
  const ticks = byKey((await db.query(
    `SELECT member_id, times FROM rule_counters WHERE store_id = $1 AND rule_id = $2 AND period = 'lifetime'`,
    [store.storeId, store.tickRuleId])).rows as Array<{ member_id: string; times: number }>, "member_id");
  for (const memberId of store.members) {
    c.checked++;
    const mine = journal.events.filter((e) => e.memberId === memberId);
    const units = sum(mine.map((e) => e.units));
    const unitPoints = sum(mine.flatMap((e) => e.awards.filter((a) => a.ruleId === store.unitsRuleId).map((a) => a.points)));
    const counter = counters.get(memberId) ?? { units: 0, points: 0 };
    const expected = UNIT_POINTS * Math.floor(units / UNIT_PER);
    c.expect(counter.units === units, () => `${memberId}: the per_unit counter holds ${counter.units} units, the acknowledged events carried ${units}`);
    c.expect(unitPoints === expected && counter.points === expected, () => `${memberId}: per_unit points acknowledged ${unitPoints}, counted ${counter.points}, expected ${expected} for ${units} units`);
    const times = ticks.get(memberId)?.times ?? 0;
    if (times > mine.length) c.duplicates += times - mine.length;
    c.expect(times === mine.length, () => `${memberId}: the fixed rule fired ${times} times for ${mine.length} acknowledged events`);
  }
  return c.result();
}

/** Adjustments: one entry per applied key (the key is in the reason), none for a refused one. */
async function checkAdjustments({ journal, store, db }: CheckInputs): Promise<CheckResult> {
  const c = new Check("adjustments: one entry per acknowledged Idempotency-Key, none for refusals");
  const rows = (await db.query(
    `SELECT id, member_id, points, reason FROM entries WHERE store_id = $1 AND type = 'adjust' AND reason LIKE 'chaos %'`,
    [store.storeId])).rows as Array<{ id: string; member_id: string; points: number; reason: string }>;
  const byReason = new Map<string, typeof rows>();
  for (const r of rows) byReason.set(r.reason, [...(byReason.get(r.reason) ?? []), r]);
  for (const a of journal.adjustments) {
    c.checked++;
    const found = byReason.get(a.reason) ?? [];
    if (a.outcome.applied) {
      const entryId = a.outcome.entryId;
      if (found.length > 1) c.duplicates += found.length - 1;
      c.expect(found.length === 1 && found[0]!.id === entryId && found[0]!.points === a.points && found[0]!.member_id === a.memberId,
        () => `adjustment ${a.key} (${a.points}, entry ${entryId}): the ledger has ${JSON.stringify(found)}`);
    } else {
      c.expect(found.length === 0, () => `adjustment ${a.key} was refused (${a.outcome.applied ? "" : a.outcome.code}) but the ledger has ${found.length} entries for it`);
    }
  }
  const keys = new Set(journal.adjustments.map((a) => a.reason));
  const extra = rows.filter((r) => !keys.has(r.reason));
  c.expect(extra.length === 0, () => `${extra.length} adjustment entries belong to no answered request`);
  const applied = journal.adjustments.filter((a) => a.outcome.applied).length;
  c.expect(rows.length === applied, () => `${rows.length} adjustment entries for ${applied} applied Idempotency-Keys`);
  return c.result();
}

/** Orders: the API shows the points of the last acknowledged state, and the ledger nets to them. */
async function checkOrders({ journal, store, db, client }: CheckInputs): Promise<CheckResult> {
  const c = new Check("orders: each order's points are those of its last acknowledged update, in the API and the ledger");
  const net = byKey((await db.query(
    `SELECT source_ref, sum(points)::int AS points, count(*) FILTER (WHERE type IN ('earn', 'pending'))::int AS credits
     FROM entries WHERE store_id = $1 AND source_type = 'order' AND type IN ('earn', 'pending', 'reverse', 'write_off') GROUP BY source_ref`,
    [store.storeId])).rows as Array<{ source_ref: string; points: number; credits: number }>, "source_ref");
  const [{ n: orderRows } = { n: 0 }] = (await db.query("SELECT count(*)::int AS n FROM orders WHERE store_id = $1", [store.storeId])).rows as Array<{ n: number }>;
  for (const o of journal.orders) {
    c.checked += o.steps.length;
    const last = o.steps[o.steps.length - 1]!.points;
    const answer = await client.send("GET", `/v1/orders/${o.id}`, { token: store.token });
    const shown = answer.body?.points as OrderPoints | undefined;
    c.expect(answer.status === 200 && shown !== undefined && shown.earned === last.earned && shown.pending === last.pending
      && shown.reversed === last.reversed && shown.redeemed === last.redeemed,
    () => `order ${o.id} (${o.steps.map((s) => s.change).join(" → ")}): GET shows ${JSON.stringify(shown ?? answer.status)}, last acknowledged ${JSON.stringify(last)}`);
    const ledger = net.get(o.id) ?? { points: 0, credits: 0 };
    const expected = last.earned + last.pending;
    if (ledger.points > expected) c.duplicates++;
    c.expect(ledger.points === expected, () => `order ${o.id}: the ledger nets ${ledger.points} points, acknowledged ${expected}`);
    // One credit for the award, and one more only when an edit raised it.
    const raised = o.steps.some((s) => s.change === "edited") ? 2 : 1;
    c.expect(ledger.credits <= raised, () => `order ${o.id}: ${ledger.credits} credit entries for ${o.steps.length} updates`);
  }
  c.expect(orderRows === journal.orders.length, () => `${orderRows} orders recorded, ${journal.orders.length} acknowledged`);
  return c.result();
}

/** Holds, captures and releases: each redemption exists once, in the state its finishes left it. */
async function checkRedemptions({ journal, store, db, client }: CheckInputs): Promise<CheckResult> {
  const c = new Check("redemptions: each acknowledged hold exists once, in the status its capture/release left it");
  const rows = byKey((await db.query(
    "SELECT id, member_id, status, points, order_id FROM redemptions WHERE store_id = $1", [store.storeId])).rows as Array<{ id: string; member_id: string; status: string; points: number; order_id: string }>, "id");
  const movements = new Map<string, Record<string, number>>();
  for (const r of (await db.query(
    `SELECT source_ref, type, count(*)::int AS n FROM entries WHERE store_id = $1 AND source_type = 'redemption' GROUP BY 1, 2`,
    [store.storeId])).rows as Array<{ source_ref: string; type: string; n: number }>) {
    movements.set(r.source_ref, { ...(movements.get(r.source_ref) ?? {}), [r.type]: r.n });
  }
  const orders = new Map<string, number>();
  for (const r of rows.values()) orders.set(r.order_id, (orders.get(r.order_id) ?? 0) + 1);
  for (const h of journal.holds) {
    c.checked += 1 + h.finishes.length;
    if (!h.outcome.applied) {
      const made = orders.get(h.orderId) ?? 0;
      c.expect(made === 0, () => `hold ${h.key} was refused (${h.outcome.applied ? "" : h.outcome.code}) but ${made} redemptions exist for ${h.orderId}`);
      continue;
    }
    const id = h.outcome.redemptionId;
    const status = Journal.finalStatus(h);
    const row = rows.get(id);
    const made = orders.get(h.orderId) ?? 0;
    if (made > 1) c.duplicates += made - 1;
    c.expect(made === 1, () => `hold ${h.key}: ${made} redemptions for order ${h.orderId}`);
    c.expect(row !== undefined && row.status === status && row.points === h.points && row.member_id === h.memberId,
      () => `redemption ${id}: stored ${JSON.stringify(row)}, expected ${status} ${h.points} for ${h.memberId}`);
    const answer = await client.send("GET", `/v1/redemptions/${id}`, { token: store.token });
    c.expect(answer.status === 200 && answer.body?.status === status, () => `GET /v1/redemptions/${id}: ${answer.status} ${answer.body?.status}, expected ${status}`);
    const m = movements.get(id) ?? {};
    const want = { hold: 1, capture: status === "completed" ? 1 : 0, release: status === "released" ? 1 : 0 };
    for (const type of ["hold", "capture", "release"] as const) {
      const n = m[type] ?? 0;
      if (n > want[type]) c.duplicates += n - want[type];
      c.expect(n === want[type], () => `redemption ${id} (${status}): ${n} ${type} entries, expected ${want[type]}`);
    }
  }
  const acknowledged = journal.holds.filter((h) => h.outcome.applied).length;
  c.expect(rows.size === acknowledged, () => `${rows.size} redemptions stored, ${acknowledged} holds acknowledged`);
  return c.result();
}

/** Each member's balance, pending and held, as the API shows them, equal what the answers add up to. */
async function checkMembers({ journal, store, client }: CheckInputs): Promise<CheckResult> {
  const c = new Check("members: balance, pending and held equal the sum of what was acknowledged");
  for (const memberId of store.members) {
    c.checked++;
    const mine = <T extends { memberId: string }>(items: T[]) => items.filter((i) => i.memberId === memberId);
    const orders = mine(journal.orders).map((o) => o.steps[o.steps.length - 1]!.points);
    const holds = mine(journal.holds).filter((h) => h.outcome.applied);
    const expected = {
      balance: sum(mine(journal.events).map((e) => e.points))
        + sum(mine(journal.adjustments).filter((a) => a.outcome.applied).map((a) => a.points))
        + sum(orders.map((p) => p.earned))
        - sum(holds.filter((h) => Journal.finalStatus(h) !== "released").map((h) => h.points)),
      pending: sum(orders.map((p) => p.pending)),
      held: sum(holds.filter((h) => Journal.finalStatus(h) === "held").map((h) => h.points)),
    };
    const answer = await client.send("GET", `/v1/members/${memberId}`, { token: store.token });
    const shown = { balance: answer.body?.balance, pending: answer.body?.pending, held: answer.body?.held };
    c.expect(answer.status === 200 && shown.balance === expected.balance && shown.pending === expected.pending && shown.held === expected.held,
      () => `${memberId}: GET shows ${JSON.stringify(shown)}, the answers add up to ${JSON.stringify(expected)}`);
  }
  return c.result();
}

/** Every check that reads through the running server and the database. */
export async function runLedgerChecks(inputs: CheckInputs): Promise<CheckResult[]> {
  return [
    await checkEvents(inputs),
    await checkUnitCounters(inputs),
    await checkAdjustments(inputs),
    await checkOrders(inputs),
    await checkRedemptions(inputs),
    await checkMembers(inputs),
  ];
}

/** `pointbook verify` on the run's database: it recomputes every balance and must find nothing. */
export async function runVerifyCommand(databaseUrl: string): Promise<{ result: CheckResult; discrepancies: number; output: string }> {
  const child = spawn(process.execPath, [CLI, "verify"], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const match = /verified (\d+) members and (\d+) entries: (\d+) discrepancies/.exec(output);
  const discrepancies = match ? Number(match[3]) : Number.NaN;
  const c = new Check("pointbook verify: 0 discrepancies");
  c.checked = match ? Number(match[2]) : 0;
  c.expect(code === 0 && discrepancies === 0, () => `exit code ${code}, output:\n${output.trim().split("\n").slice(-10).join("\n")}`);
  return { result: c.result(), discrepancies, output };
}
