import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { OPERATOR_TOKEN, startBenchServer } from "./server.ts";

const RAW_BASELINE = fileURLToPath(new URL("../../../shared/bench/raw-baseline.sh", import.meta.url));
const MEMBERS = 1_000;

export interface HttpRow {
  scenario: string;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** The raw PostgreSQL figure this one is compared with, and its name. */
  raw?: { name: string; perSec: number };
}

/** Calls the API with a key; a non-2xx answer stops the bench with its body. */
export async function json(base: string, method: string, path: string, key: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** One store with a fixed-points event rule, a cashback method and members with points. */
async function seed(base: string): Promise<{ key: string; methodId: string }> {
  const store = await json(base, "POST", "/v1/stores", OPERATOR_TOKEN, { name: "Bench", currency: "USD", timezone: "UTC" });
  const key = store.apiKey as string;
  await json(base, "POST", "/v1/earn-rules", key, { name: "Tick", event: "bench.tick", award: { type: "fixed", points: 10 } });
  const method = await json(base, "POST", "/v1/redeem-methods", key, { type: "cashback", name: "Cash", points: 10, amount: 100, channels: ["online"] });
  const memberIds = Array.from({ length: MEMBERS }, (_, i) => `m${i}`);
  for (const id of memberIds.slice(0, 50)) await json(base, "PUT", `/v1/members/${id}`, key, {});
  await json(base, "POST", "/v1/adjustments/bulk", key, { memberIds, points: 5_000, reason: "bench opening balance" });
  return { key, methodId: method.id };
}

async function load(base: string, seconds: number, scenario: string, request: autocannon.Request): Promise<HttpRow> {
  const result = await autocannon({ url: base, connections: 64, duration: seconds, requests: [request] });
  return {
    scenario, reqPerSec: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99,
    non2xx: result.non2xx, errors: result.errors + result.timeouts,
  };
}

function rawBaseline(seconds: number): { earn: number; read: number } | null {
  if (!existsSync(RAW_BASELINE)) return null;
  const run = spawnSync("bash", [RAW_BASELINE, String(seconds), "16"], { encoding: "utf8" });
  const figure = (name: string) => Number(new RegExp(`${name} (\\d+)`).exec(run.stdout)?.[1] ?? NaN);
  const earn = figure("raw_earn_tps");
  const read = figure("raw_read_tps");
  return Number.isFinite(earn) && Number.isFinite(read) ? { earn, read } : null;
}

/**
 * The server over real HTTP at 64 connections against the same machine's raw PostgreSQL limit,
 * measured in the same run: a minimal award transaction and a minimal balance read (pgbench).
 */
export async function httpBench(postgresUrl: string, seconds: number): Promise<HttpRow[]> {
  const server = await startBenchServer(postgresUrl);
  const rows: HttpRow[] = [];
  try {
    const { key, methodId } = await seed(server.base);
    await server.analyze();
    const auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    let n = 0;
    const member = () => `m${Math.floor(Math.random() * MEMBERS)}`;
    rows.push(await load(server.base, seconds, "POST /v1/events (one fixed rule)", {
      method: "POST", path: "/v1/events", headers: auth,
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ id: `e${process.pid}-${n++}`, type: "bench.tick", memberId: member() }) }),
    }));
    await server.analyze();
    rows.push(await load(server.base, seconds, "GET /v1/members/{id}", {
      method: "GET", path: "/v1/members/m0", headers: { authorization: auth.authorization },
      setupRequest: (req) => ({ ...req, path: `/v1/members/${member()}` }),
    }));
    rows.push(await load(server.base, seconds, "POST /v1/checkout/quote", {
      method: "POST", path: "/v1/checkout/quote", headers: auth,
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ memberId: member(), methodId, lines: [{ sku: "a", quantity: 1, amount: 12_000 }] }) }),
    }));
    rows.push(await load(server.base, seconds, "GET /healthz (HTTP floor)", { method: "GET", path: "/healthz" }));
  } finally {
    await server.stop();
  }
  const raw = rawBaseline(Math.max(5, Math.min(seconds, 10)));
  if (raw) {
    rows[0]!.raw = { name: "raw_earn_tps", perSec: raw.earn };
    rows[1]!.raw = { name: "raw_read_tps", perSec: raw.read };
    rows[2]!.raw = { name: "raw_read_tps", perSec: raw.read };
  }
  return rows;
}

export function formatHttpTable(rows: readonly HttpRow[]): string {
  const lines = ["| scenario (PostgreSQL, HTTP, 64 connections) | req/s | p50 ms | p99 ms | non-2xx | raw PostgreSQL, same run | share |", "|---|---:|---:|---:|---:|---|---:|"];
  for (const r of rows) {
    const raw = r.raw ? `${r.raw.name} ${r.raw.perSec}` : "";
    const share = r.raw ? `${((100 * r.reqPerSec) / r.raw.perSec).toFixed(1)}%` : "";
    lines.push(`| ${r.scenario} | ${Math.round(r.reqPerSec)} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx + r.errors} | ${raw} | ${share} |`);
  }
  return lines.join("\n");
}
