import type { FastifyInstance } from "fastify";
import { runWaitingImports } from "../../src/services/imports/worker.ts";
import type { Services } from "../../src/services/context.ts";
import { call } from "../support/app.ts";

/** POST /v1/imports with a CSV body. */
export async function upload(app: FastifyInstance, key: string | null, query: string, csv: string | Buffer, headers: Record<string, string> = {}) {
  return app.inject({
    method: "POST",
    url: `/v1/imports?${query}`,
    headers: { "content-type": "text/csv", ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    payload: csv,
  });
}

/** Runs the server's import worker once on a store's imports, as a server process would, until nothing is waiting. */
export async function work(services: Services, storeId: string, holder = "test-worker", leaseMs = 60_000) {
  return runWaitingImports(services, { storeId, holder, leaseMs });
}

export interface ImportBody {
  id: string;
  status: string;
  total: number | null;
  processed: number;
  imported: number;
  rejected: number;
  errors: Array<{ line: number; message: string }>;
  bytes: { read: number; total: number | null };
  line: number;
  failure: string | null;
}

export async function getImport(app: FastifyInstance, key: string, id: string): Promise<ImportBody> {
  const res = await call(app, "GET", `/v1/imports/${id}`, { key });
  if (res.statusCode !== 200) throw new Error(`GET import: ${res.statusCode} ${res.body}`);
  return res.json() as ImportBody;
}

/** Uploads and runs an import to its end; returns the import as GET shows it. */
export async function importVia(app: FastifyInstance, services: Services, store: { id: string; adminKey: string }, query: string, csv: string): Promise<ImportBody> {
  const key = store.adminKey;
  const res = await upload(app, key, query, csv);
  if (res.statusCode !== 202) throw new Error(`upload: ${res.statusCode} ${res.body}`);
  await work(services, store.id);
  return getImport(app, key, (res.json() as { id: string }).id);
}

export const csv = (...lines: string[]) => `${lines.join("\n")}\n`;
