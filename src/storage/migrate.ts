import type { Database } from "./sql.ts";
import { sql as ledger } from "./migrations/001_ledger.ts";
import { sql as rules } from "./migrations/002_rules.ts";
import { sql as orders } from "./migrations/003_orders.ts";
import { sql as coupons } from "./migrations/004_coupons.ts";
import { sql as tierChecks } from "./migrations/005_tier_checks.ts";
import { sql as dueWorkLeases } from "./migrations/007_due_work_leases.ts";
import { sql as orderEligibility } from "./migrations/008_order_eligibility.ts";
import { sql as idempotencyOutcomes } from "./migrations/009_idempotency_outcomes.ts";
import { sql as programVersion } from "./migrations/010_program_version.ts";
import { sql as outgoingEvents } from "./migrations/011_outgoing_events.ts";
import { sql as webhooks } from "./migrations/012_webhooks.ts";
import { sql as notifications } from "./migrations/013_notifications.ts";
import { sql as integrations } from "./migrations/014_integrations.ts";
import { sql as imports } from "./migrations/015_imports.ts";
import { sql as memberSearch } from "./migrations/016_member_search.ts";
import { sql as memberTokens } from "./migrations/017_member_tokens.ts";
import { sql as simulations } from "./migrations/018_simulations.ts";
import { sql as simulationProgress } from "./migrations/019_simulation_progress.ts";
import { sql as redemptionChannelCart } from "./migrations/020_redemption_channel_cart.ts";
import { sql as eventMember } from "./migrations/021_event_member.ts";

/** Ordered, append-only: a released migration is never edited, a change is a new one. */
const MIGRATIONS: ReadonlyArray<{ version: string; sql: string }> = [
  { version: "001_ledger", sql: ledger },
  { version: "002_rules", sql: rules },
  { version: "003_orders", sql: orders },
  { version: "004_coupons", sql: coupons },
  { version: "005_tier_checks", sql: tierChecks },
  { version: "007_due_work_leases", sql: dueWorkLeases },
  { version: "008_order_eligibility", sql: orderEligibility },
  { version: "009_idempotency_outcomes", sql: idempotencyOutcomes },
  { version: "010_program_version", sql: programVersion },
  { version: "011_outgoing_events", sql: outgoingEvents },
  { version: "012_webhooks", sql: webhooks },
  { version: "013_notifications", sql: notifications },
  { version: "014_integrations", sql: integrations },
  { version: "015_imports", sql: imports },
  { version: "016_member_search", sql: memberSearch },
  { version: "017_member_tokens", sql: memberTokens },
  { version: "018_simulations", sql: simulations },
  { version: "019_simulation_progress", sql: simulationProgress },
  { version: "020_redemption_channel_cart", sql: redemptionChannelCart },
  { version: "021_event_member", sql: eventMember },
];

/** Applies pending migrations; safe to call from several processes at once. */
export async function migrate(db: Database): Promise<string[]> {
  return db.transaction(async (tx) => {
    // Serializes concurrent migrators (several servers or test workers starting together).
    await tx.query("SELECT pg_advisory_xact_lock(7401)");
    await tx.script(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const done = new Set((await tx.query<{ version: string }>("SELECT version FROM schema_migrations")).map((r) => r.version));
    const applied: string[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await tx.script(m.sql);
      await tx.query("INSERT INTO schema_migrations (version) VALUES ($1)", [m.version]);
      applied.push(m.version);
    }
    return applied;
  });
}
