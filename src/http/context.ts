import type { Services } from "../services/context.ts";
import type { EventIntake } from "../services/event-intake.ts";
import type { Metrics } from "../metrics.ts";
import type { KeyAuthenticator } from "./key-cache.ts";
import type { SimulationJobs } from "../jobs/simulations.ts";

export interface HttpContext {
  services: Services;
  operatorToken: string;
  /** Checks that the database answers (readiness). */
  ping: () => Promise<void>;
  /** Store keys, looked up and remembered briefly; built by the app when not given. */
  keys: KeyAuthenticator;
  /** The process's Prometheus registry and the metrics the HTTP layer feeds. */
  metrics: Metrics;
  /** Single events, recorded with group commit. */
  events: EventIntake;
  /** Requests per second per key (0 = no limit). */
  rateLimitPerSecond: number;
  /** POINTBOOK_WEBHOOK_ALLOW_PRIVATE: webhook URLs may name private addresses (false unless given). */
  webhookAllowPrivate?: boolean;
  /** Simulations run in the background (a worker thread per replay unless given). */
  simulations: SimulationJobs;
  /** How long proposing waits for the proposals' simulations before answering with those still running (20 s unless given). */
  assistantWaitMs?: number;
  /** The largest import upload (100 MB unless given; tests lower it). */
  importMaxBytes?: number;
}
