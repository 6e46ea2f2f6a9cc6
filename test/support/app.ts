import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { buildApp } from "../../src/http/app.ts";
import type { Services } from "../../src/services/context.ts";
import { simulationJobs } from "../../src/jobs/simulations.ts";
import { replayInThread, replayInWorker } from "../../src/jobs/simulation-replay.ts";
import type { ReplayRunner } from "../../src/services/simulation/report.ts";
import { transactor } from "../../src/storage/transactor.ts";
import type { Database } from "../../src/storage/sql.ts";
import { TestClock } from "./clock.ts";
import { openTestDatabase, type DatabaseKind } from "./db.ts";

export const OPERATOR_TOKEN = "test-operator-token-0123456789";

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  services: Services;
  clock: TestClock;
  close(): Promise<void>;
}

/** The real HTTP app in-process (Fastify inject) on a real database. */
export async function startTestApp(
  kind?: DatabaseKind, options: { rateLimitPerSecond?: number; webhookAllowPrivate?: boolean; replayInWorkers?: boolean; replay?: ReplayRunner } = {},
): Promise<TestApp> {
  const db = await openTestDatabase(kind);
  const clock = new TestClock();
  const services: Services = { tx: transactor(db), clock };
  // No rate limit unless a test asks for one: suites send bursts that are not what it guards against.
  // Replays run in worker threads in a server; in-process apps replay in their own thread unless a
  // test asks for workers, and wait for them before closing the database.
  const simulations = simulationJobs(services, options.replay ?? (options.replayInWorkers ? replayInWorker : replayInThread));
  const app = await buildApp({ services, operatorToken: OPERATOR_TOKEN, ping: async () => void (await db.query("SELECT 1")), rateLimitPerSecond: options.rateLimitPerSecond ?? 0, webhookAllowPrivate: options.webhookAllowPrivate, simulations });
  return {
    app, db, services, clock,
    async close() {
      await simulations.idle();
      await app.close();
      await db.close();
    },
  };
}

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One HTTP call; `key: null` sends no Authorization header. */
export async function call(app: FastifyInstance, method: string, url: string, options: CallOptions = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  return app.inject({
    method: method as "GET",
    url,
    headers,
    ...(options.body !== undefined ? { payload: options.body as object } : {}),
  });
}

export interface TestStore {
  id: string;
  adminKey: string;
  key(role: "viewer" | "points_manager" | "admin"): Promise<string>;
}

/** Creates a store through the API; sandbox by default so tests control its clock. */
export async function createTestStore(
  app: FastifyInstance,
  body: Record<string, unknown> = {},
): Promise<TestStore> {
  const res = await call(app, "POST", "/v1/stores", {
    key: OPERATOR_TOKEN,
    body: { name: "Test store", currency: "USD", timezone: "UTC", sandbox: true, clock: "2026-01-15T12:00:00Z", ...body },
  });
  if (res.statusCode !== 201) throw new Error(`store creation failed: ${res.statusCode} ${res.body}`);
  const store = res.json() as { id: string; apiKey: string };
  return {
    id: store.id,
    adminKey: store.apiKey,
    async key(role) {
      const k = await call(app, "POST", "/v1/keys", { key: store.apiKey, body: { name: `${role} key`, role } });
      if (k.statusCode !== 201) throw new Error(`key creation failed: ${k.statusCode} ${k.body}`);
      return (k.json() as { key: string }).key;
    },
  };
}
