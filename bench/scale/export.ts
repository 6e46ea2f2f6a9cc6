/**
 * GET /v1/exports/members.csv from the real server, listening on a port, read over HTTP with
 * fetch as a client would, counting rows and bytes without keeping them. The server runs in this
 * process, so its memory is this process's RSS, sampled every 100 ms.
 */
import { performance } from "node:perf_hooks";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/http/app.ts";
import { createKey } from "../../src/services/api-keys.ts";
import type { Services } from "../../src/services/context.ts";
import { ACTOR } from "../scenarios.ts";

export interface ExportServer {
  base: string;
  /** A viewer key of the store, made on first use. */
  viewerKey(storeId: string): Promise<string>;
  close(): Promise<void>;
}

export async function startExportServer(services: Services, ping: () => Promise<void>): Promise<ExportServer> {
  const app: FastifyInstance = await buildApp({ services, operatorToken: "scale-bench-operator-token-0123456789", ping, rateLimitPerSecond: 0 });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("the server has no TCP address");
  const keys = new Map<string, string>();
  return {
    base: `http://127.0.0.1:${address.port}`,
    async viewerKey(storeId) {
      const known = keys.get(storeId);
      if (known) return known;
      const { key } = await createKey(services, storeId, { name: "Scale bench export", role: "viewer" }, ACTOR);
      keys.set(storeId, key);
      return key;
    },
    close: () => app.close(),
  };
}

export interface ExportRow {
  rows: number;
  bytes: number;
  ms: number;
  /** Highest RSS (and heap used) sampled during the export, less the value just before it. */
  peakRssGrowth: number;
  peakHeapGrowth: number;
  startRss: number;
}

/** Streams the store's members CSV and checks it has a header and one line per member. */
export async function exportMembers(server: ExportServer, storeId: string, expectedRows: number): Promise<ExportRow> {
  const key = await server.viewerKey(storeId);
  const start = process.memoryUsage();
  let peakRss = start.rss;
  let peakHeap = start.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = setInterval(sample, 100);
  const t0 = performance.now();
  let bytes = 0;
  let lines = 0;
  try {
    const response = await fetch(`${server.base}/v1/exports/members.csv`, { headers: { authorization: `Bearer ${key}` } });
    if (response.status !== 200 || !response.body) throw new Error(`export answered ${response.status}: ${await response.text()}`);
    // Rows end in a newline and no member cell here holds one, so lines are rows (plus the header).
    for await (const chunk of response.body) {
      const data = chunk as Uint8Array;
      bytes += data.byteLength;
      for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) lines++;
    }
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - t0;
  sample();
  const rows = lines - 1;
  if (rows !== expectedRows) throw new Error(`the export has ${rows} rows, the store ${expectedRows} members`);
  return { rows, bytes, ms, peakRssGrowth: peakRss - start.rss, peakHeapGrowth: peakHeap - start.heapUsed, startRss: start.rss };
}
