import { z } from "zod";

/** Configuration comes from the environment; a bad value stops start-up with the variable's name. */
export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** Connections each process keeps to PostgreSQL: several servers (or a busy test run) share its max_connections. */
  POINTBOOK_DB_POOL_SIZE: z.coerce.number().int().min(1).max(1_000).default(20),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
    .optional(),
  POINTBOOK_DATA_DIR: z.string().min(1).default("./data"),
  POINTBOOK_OPERATOR_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  POINTBOOK_SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /** How often outgoing events are handed on and due webhooks and member messages sent. */
  POINTBOOK_OUTGOING_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(500),
  POINTBOOK_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(0).max(1_000_000).default(1_000),
  POINTBOOK_IDEMPOTENCY_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 365).default(24),
  // Member notifications; a transport left unset records its messages as skipped.
  POINTBOOK_SMTP_URL: z.url({ protocol: /^smtps?$/, error: "must be smtp://user:pass@host:port or smtps://…" }).optional(),
  POINTBOOK_MAIL_FROM: z.string().min(3).max(320).optional(),
  POINTBOOK_SMS_URL: z.url({ protocol: /^https?$/, error: "must be an https:// or http:// URL" }).optional(),
  POINTBOOK_SMS_TOKEN: z.string().min(1).max(4_096).optional(),
  // Webhook delivery (SPEC §3 Webhooks).
  POINTBOOK_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).max(86_400_000).default(30_000),
  POINTBOOK_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  /** How long a claimed delivery stays with its worker; unset: the attempt's time-out (10 s) plus 60 s. */
  POINTBOOK_WEBHOOK_LEASE_MS: z.coerce.number().int().min(1_000).max(86_400_000).optional(),
  /** How long a server process keeps an uploaded import it works on without committing a batch; a killed one's import is resumed after it. */
  POINTBOOK_IMPORT_LEASE_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
  /** How long proposing (POST /v1/assistant/proposals) waits for its simulations before answering with those still running; unset: the assistant's own 20 s. */
  POINTBOOK_ASSISTANT_WAIT_MS: z.coerce.number().int().min(0).max(600_000).optional(),
  /** How long a server keeps its replay workers after a simulation, for the next one; 0: stopped as soon as it is done. */
  POINTBOOK_SIMULATION_WORKERS_KEPT_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  POINTBOOK_WEBHOOK_ALLOW_PRIVATE: z.enum(["true", "false"], { error: "must be true or false" }).default("false").transform((v) => v === "true"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  // An empty variable means "not set", as shells often export them that way.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  return result.data;
}
