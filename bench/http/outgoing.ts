import http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { OPERATOR_TOKEN, startBenchServer } from "./server.ts";
import { json } from "./run-http.ts";

/**
 * The outgoing path as a deployment runs it: the real server (`pointbook serve`, its own outgoing
 * loop) on a fresh PostgreSQL database, one store with one webhook endpoint (`events: ["*"]`) on
 * a local HTTP receiver in this process. Latency: adjustments at a steady rate, from each HTTP
 * answer (the commit) to the receipt of its `member.points_changed`. Throughput: a backlog of K
 * events committed at once (one bulk adjustment), from its answer to the receipt of the last one,
 * against this machine's raw limit for the same sends (node:http, same receiver, same run).
 */

export interface OutgoingSettings {
  /** POINTBOOK_OUTGOING_INTERVAL_MS given to the server. */
  intervalMs: number;
  /** Adjustments per second, and for how long, in the latency phase. */
  rate: number;
  seconds: number;
  /** Events in the backlog. */
  backlog: number;
}

export interface OutgoingRow {
  scenario: string;
  events: number;
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  perSec?: number;
  raw?: { name: string; perSec: number };
}

export interface OutgoingResult {
  settings: OutgoingSettings;
  rows: OutgoingRow[];
  /** Notes printed under the table (what the phases saw besides the figures). */
  notes: string[];
}

/** The webhook worker's sends at once (DEFAULT_CONCURRENCY in src/services/webhooks/deliver.ts). */
const WORKER_CONCURRENCY = 8;
const LATENCY_MEMBERS = 50;
const LATENCY_REASON = "bench latency";
const BACKLOG_REASON = "bench backlog";

export function outgoingSettings(): OutgoingSettings {
  return {
    intervalMs: Number(process.env.POINTBOOK_OUTGOING_INTERVAL_MS ?? 500),
    rate: Number(process.env.BENCH_OUTGOING_RATE ?? 50),
    seconds: Number(process.env.BENCH_OUTGOING_SECONDS ?? 10),
    backlog: Number(process.env.BENCH_OUTGOING_BACKLOG ?? 5_000),
  };
}

interface Arrival {
  at: number;
  webhookId: string;
  body: { id: string; type: string; memberId: string | null; data: Record<string, unknown> };
}

interface Receiver {
  url: string;
  arrivals: Arrival[];
  /** Times each `webhook-id` arrived. */
  seen: Map<string, number>;
  /** Requests that were not a well-formed delivery (no webhook-id, or not matching the body's id). */
  malformed: number;
  close(): Promise<void>;
}

/** A local webhook receiver answering 204 and recording when each `webhook-id` arrived. */
async function startReceiver(): Promise<Receiver> {
  const arrivals: Arrival[] = [];
  const seen = new Map<string, number>();
  const receiver = { arrivals, seen, malformed: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      res.writeHead(204).end();
      const webhookId = req.headers["webhook-id"];
      if (req.url === "/raw") return;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Arrival["body"];
        if (typeof webhookId !== "string" || webhookId !== body.id) throw new Error("webhook-id does not match the body");
        seen.set(webhookId, (seen.get(webhookId) ?? 0) + 1);
        arrivals.push({ at, webhookId, body });
      } catch {
        receiver.malformed++;
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  });
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `done()` or the deadline; false when the deadline passed first. */
async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

const round = (ms: number) => Math.round(ms);

/**
 * Raw limit of sending on this machine: the same receiver, `count` POSTs of `body`, `concurrency`
 * at a time, a new connection each (as the worker sends, `agent: false`), from this process.
 */
async function rawSends(receiverUrl: string, body: Buffer, count: number, concurrency: number): Promise<number> {
  const url = new URL(receiverUrl);
  const one = () => new Promise<void>((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, path: "/raw", method: "POST", agent: false,
      headers: { "content-type": "application/json", "content-length": String(body.length) },
    }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 204 ? resolve() : reject(new Error(`raw send: HTTP ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < count) await one();
  }));
  return count / ((performance.now() - started) / 1_000);
}

export async function outgoingBench(postgresUrl: string, settings: OutgoingSettings = outgoingSettings()): Promise<OutgoingResult> {
  const receiver = await startReceiver();
  const server = await startBenchServer(postgresUrl, {
    database: "pointbook_bench_outgoing",
    env: { POINTBOOK_WEBHOOK_ALLOW_PRIVATE: "true", POINTBOOK_OUTGOING_INTERVAL_MS: String(settings.intervalMs) },
  });
  const rows: OutgoingRow[] = [];
  const notes: string[] = [];
  try {
    const store = await json(server.base, "POST", "/v1/stores", OPERATOR_TOKEN, { name: "Bench outgoing", currency: "USD", timezone: "UTC" });
    const key = store.apiKey as string;
    for (let i = 0; i < LATENCY_MEMBERS; i++) await json(server.base, "PUT", `/v1/members/m${i}`, key, {});
    await json(server.base, "POST", "/v1/webhook-endpoints", key, { url: receiver.url, events: ["*"], description: "bench receiver" });

    // 1. Latency: adjustments at a steady rate (open loop), commit → receipt of each entry's event.
    const total = Math.round(settings.rate * settings.seconds);
    console.error(`  webhook latency: ${total} adjustments at ${settings.rate}/s, outgoing interval ${settings.intervalMs} ms`);
    const committed = new Map<string, number>();
    const answerMs: number[] = [];
    const sends: Promise<void>[] = [];
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = started + (i * 1_000) / settings.rate - performance.now();
      if (wait > 0) await sleep(wait);
      sends.push((async () => {
        const sent = performance.now();
        const res = await fetch(`${server.base}/v1/members/m${i % LATENCY_MEMBERS}/adjustments`, {
          method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ points: 1, reason: LATENCY_REASON }),
        });
        const at = performance.now();
        const entry = (await res.json()) as { id?: string };
        if (res.status !== 201 || !entry.id) throw new Error(`adjustment → ${res.status} ${JSON.stringify(entry)}`);
        committed.set(entry.id, at);
        answerMs.push(at - sent);
      })());
    }
    await Promise.all(sends);
    const received = new Map<string, number>();
    const latencyArrivals = () => {
      for (const a of receiver.arrivals) {
        const entryId = a.body.data.entryId;
        if (a.body.data.reason === LATENCY_REASON && typeof entryId === "string" && !received.has(entryId)) received.set(entryId, a.at);
      }
      return received.size >= committed.size;
    };
    if (!(await until(latencyArrivals, 60_000))) throw new Error(`webhook latency: ${received.size} of ${committed.size} events arrived within 60 s`);
    const latencies = [...committed].map(([id, at]) => received.get(id)! - at).sort((a, b) => a - b);
    const answers = [...answerMs].sort((a, b) => a - b);
    rows.push({
      scenario: `webhook latency, commit → receipt (${settings.rate} adjustments/s for ${settings.seconds} s)`,
      events: latencies.length, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), maxMs: latencies.at(-1)!,
    });
    notes.push(`the adjustments themselves answered in p50 ${percentile(answers, 0.5).toFixed(1)} ms, p99 ${percentile(answers, 0.99).toFixed(1)} ms`);
    console.error(`    p50 ${round(percentile(latencies, 0.5))} ms, p99 ${round(percentile(latencies, 0.99))} ms, max ${round(latencies.at(-1)!)} ms`);

    // 2. Throughput: K events committed at once, with the endpoint live. A disabled endpoint gets
    // no deliveries at all (webhookFanOut takes enabled endpoints only), so a backlog written while
    // it is disabled would never be sent; one bulk adjustment (one transaction) makes all K visible
    // to the dispatcher at the same instant instead.
    const k = settings.backlog;
    console.error(`  webhook throughput: a backlog of ${k} events (one bulk adjustment)`);
    const memberIds = Array.from({ length: k }, (_, i) => `b${i}`);
    const bulkSent = performance.now();
    await json(server.base, "POST", "/v1/adjustments/bulk", key, { memberIds, points: 1, reason: BACKLOG_REASON });
    const bulkCommitted = performance.now();
    const backlog = new Map<string, number>();
    let scanned = 0;
    const backlogArrivals = () => {
      for (; scanned < receiver.arrivals.length; scanned++) {
        const a = receiver.arrivals[scanned]!;
        if (a.body.data.reason === BACKLOG_REASON && a.body.memberId !== null && !backlog.has(a.body.memberId)) backlog.set(a.body.memberId, a.at);
      }
      return backlog.size >= k;
    };
    if (!(await until(backlogArrivals, 600_000))) throw new Error(`webhook throughput: ${backlog.size} of ${k} events arrived within 600 s`);
    const times = [...backlog.values()].sort((a, b) => a - b);
    const seconds = (times.at(-1)! - bulkCommitted) / 1_000;
    rows.push({ scenario: `webhook backlog of ${k}, commit → last receipt`, events: k, perSec: k / seconds });
    notes.push(
      `backlog: the bulk adjustment took ${round(bulkCommitted - bulkSent)} ms; first delivery ${round(times[0]! - bulkCommitted)} ms ` +
        `after its answer, last ${seconds.toFixed(1)} s after (${round(k / ((times.at(-1)! - times[0]!) / 1_000))}/s from first to last)`,
    );
    console.error(`    ${round(k / seconds)} deliveries/s`);

    // 4. Correctness: each event once, no `webhook-id` twice, nothing malformed, after a few more passes.
    await sleep(3 * settings.intervalMs + 500);
    const twice = [...receiver.seen].filter(([, n]) => n > 1).length;
    const latencyTwice = receiver.arrivals.filter((a) => a.body.data.reason === LATENCY_REASON).length - committed.size;
    const backlogTwice = receiver.arrivals.filter((a) => a.body.data.reason === BACKLOG_REASON).length - k;
    const other = receiver.arrivals.length - committed.size - k;
    if (twice > 0 || latencyTwice !== 0 || backlogTwice !== 0 || receiver.malformed > 0 || other !== 0) {
      throw new Error(
        `webhooks: ${twice} webhook-ids arrived more than once, ${latencyTwice} extra latency events, ${backlogTwice} extra backlog events, ` +
          `${other} unexpected events, ${receiver.malformed} malformed requests`,
      );
    }

    // The machine's raw limit for the same sends, in the same run (the server is idle by now).
    const sample = Buffer.from(JSON.stringify(receiver.arrivals.at(-1)!.body), "utf8");
    const raw = await rawSends(receiver.url, sample, k, WORKER_CONCURRENCY);
    rows.at(-1)!.raw = { name: `node:http POST, ${WORKER_CONCURRENCY} at a time, new connection each`, perSec: raw };
  } finally {
    await server.stop();
    await receiver.close();
  }
  return { settings, rows, notes };
}

export function formatOutgoingTable(result: OutgoingResult): string {
  const lines = [
    `| scenario (PostgreSQL, real server, POINTBOOK_OUTGOING_INTERVAL_MS=${result.settings.intervalMs}) | events | p50 ms | p99 ms | max ms | deliveries/s | raw, same run | share |`,
    "|---|---:|---:|---:|---:|---:|---|---:|",
  ];
  const ms = (v?: number) => (v === undefined ? "" : String(round(v)));
  for (const r of result.rows) {
    const raw = r.raw ? `${r.raw.name}: ${round(r.raw.perSec)}/s` : "";
    const share = r.raw && r.perSec !== undefined ? `${((100 * r.perSec) / r.raw.perSec).toFixed(1)}%` : "";
    lines.push(`| ${r.scenario} | ${r.events} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${ms(r.maxMs)} | ${r.perSec === undefined ? "" : round(r.perSec)} | ${raw} | ${share} |`);
  }
  return `${lines.join("\n")}\n\n${result.notes.map((n) => `- ${n}`).join("\n")}`;
}
