import { bulkAdjust } from "../src/services/adjustments.ts";
import { awardPoints } from "../src/services/awards.ts";
import type { Actor, Services } from "../src/services/context.ts";
import { getMember } from "../src/services/members.ts";
import { createStore } from "../src/services/stores.ts";
import { transactor } from "../src/storage/transactor.ts";
import type { Database } from "../src/storage/sql.ts";
import { percentile, runLoad, type LoadLimits, type LoadResult } from "./load.ts";

export interface BenchRow {
  database: string;
  scenario: string;
  concurrency: number;
  /** Ledger writes (awards) or reads completed; in the program scenarios events, orders, quotes or hold + capture pairs. */
  ops: number;
  opsPerSec: number;
  /** Latency of one call (one transaction); for the batched scenario, of one whole batch. */
  p50Ms: number;
  p99Ms: number;
}

export interface BenchSettings {
  /** Time bound of one measurement. */
  maxMs: number;
  /** Count bound of one measurement (single operations). */
  maxOps: number;
  /** Members the single writes and reads are spread over. */
  members: number;
  /** Members per bulkAdjust transaction, and how many distinct batches rotate. */
  batchSize: number;
  batches: number;
  /** Time bound of one measurement of the program scenarios (bench/program-scenarios.ts). */
  programMaxMs: number;
}

export const ACTOR: Actor = { id: "bench", role: "system" };
export const WARM_UP: Omit<LoadLimits, "concurrency"> = { maxMs: 1_000, maxOps: 200 };

const memberId = (n: number) => `m${String(n).padStart(6, "0")}`;
export const memberIds = (count: number) => Array.from({ length: count }, (_, n) => memberId(n));

export function servicesFor(db: Database): Services {
  return { tx: transactor(db), clock: { now: () => new Date() } };
}

/**
 * A store on wall time whose members already have some history: `rounds` credits each, so a
 * member's book holds a few open lots, as a real member's would.
 */
async function seededStore(services: Services, members: readonly string[], rounds: number, batchSize: number): Promise<string> {
  const { store } = await createStore(services, { name: "Bench store", currency: "USD", timezone: "UTC" }, ACTOR);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < members.length; i += batchSize) {
      const ids = members.slice(i, i + batchSize);
      await services.tx.run((repos) => bulkAdjust(repos, services, store.id, { memberIds: ids, points: 100, reason: "bench seed" }, ACTOR));
    }
  }
  return store.id;
}

export function row(database: string, scenario: string, concurrency: number, r: LoadResult, perOp = 1): BenchRow {
  return {
    database, scenario, concurrency,
    ops: r.ops * perOp,
    opsPerSec: (r.ops * perOp) / (r.elapsedMs / 1_000),
    p50Ms: percentile(r.latencies, 50),
    p99Ms: percentile(r.latencies, 99),
  };
}

/** (a) One award per transaction, callers spread round-robin over the members. */
export async function singleAwards(name: string, db: Database, concurrency: number, s: BenchSettings): Promise<BenchRow> {
  const services = servicesFor(db);
  const members = memberIds(s.members);
  const storeId = await seededStore(services, members, 3, s.batchSize);
  const award = (i: number) =>
    services.tx.run((repos) =>
      awardPoints(repos, services, storeId, {
        memberId: members[i % members.length]!, points: 10, earnedAt: new Date(), source: { type: "event", ref: `bench-${i}` },
      }, ACTOR),
    );
  const offset = (await runLoad({ ...WARM_UP, concurrency }, award)).ops;
  const result = await runLoad({ concurrency, maxMs: s.maxMs, maxOps: s.maxOps }, (i) => award(offset + i));
  return row(name, "award, 1 per tx", concurrency, result);
}

/** (b) Many awards in one transaction: bulkAdjust over rotating batches of members. */
export async function batchedAwards(name: string, db: Database, s: BenchSettings): Promise<BenchRow> {
  const services = servicesFor(db);
  const { store } = await createStore(services, { name: "Bench store", currency: "USD", timezone: "UTC" }, ACTOR);
  const batches = Array.from({ length: s.batches }, (_, b) => memberIds(s.batchSize * s.batches).slice(b * s.batchSize, (b + 1) * s.batchSize));
  const adjust = (i: number) =>
    services.tx.run((repos) => bulkAdjust(repos, services, store.id, { memberIds: batches[i % batches.length]!, points: 10, reason: "bench" }, ACTOR));
  // One pass creates every member, so the measured batches are steady-state writes.
  await runLoad({ concurrency: 1, maxMs: Number.POSITIVE_INFINITY, maxOps: batches.length }, adjust);
  const result = await runLoad({ concurrency: 1, maxMs: s.maxMs, maxOps: s.maxOps }, adjust);
  return row(name, `bulkAdjust, ${s.batchSize} per tx`, 1, result, s.batchSize);
}

/** (c) Balance reads: getMember (own transaction, book loaded and brought up to now) at random members. */
export async function balanceReads(name: string, db: Database, concurrencies: readonly number[], s: BenchSettings): Promise<BenchRow[]> {
  const services = servicesFor(db);
  const members = memberIds(s.members);
  const storeId = await seededStore(services, members, 3, s.batchSize);
  const read = async (i: number) => {
    const m = await getMember(services, storeId, members[(i * 7_919) % members.length]!);
    if (m.balance !== 300) throw new Error(`unexpected balance ${m.balance} for ${m.memberId}`);
  };
  const rows: BenchRow[] = [];
  for (const concurrency of concurrencies) {
    await runLoad({ ...WARM_UP, concurrency }, read);
    rows.push(row(name, "getMember (read)", concurrency, await runLoad({ concurrency, maxMs: s.maxMs, maxOps: s.maxOps }, read)));
  }
  return rows;
}
