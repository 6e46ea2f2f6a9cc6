import { integrationRepository } from "./repos/integrations.ts";
import { reportRepository } from "./repos/reports.ts";
import { memberTokenRepository } from "./repos/member-tokens.ts";
import { importRepository } from "./repos/imports.ts";
import { historyRepository } from "./repos/history.ts";
import { simulationRepository } from "./repos/simulations.ts";
import type { Repositories, Transactor } from "../core/ports/repositories.ts";
import { auditRepository } from "./repos/audit.ts";
import { idempotencyRepository } from "./repos/idempotency.ts";
import { keyRepository } from "./repos/keys.ts";
import { ledgerRepository } from "./repos/ledger.ts";
import { memberRepository } from "./repos/members.ts";
import { outboxRepository } from "./repos/outbox.ts";
import { redemptionRepository } from "./repos/redemptions.ts";
import { ruleRepository, ruleStateRepository } from "./repos/rules.ts";
import { storeRepository } from "./repos/stores.ts";
import { tierRepository } from "./repos/tiers.ts";
import { orderRepository } from "./repos/orders.ts";
import { exportRepository } from "./repos/exports.ts";
import { webhookRepository } from "./repos/webhooks.ts";
import { notificationRepository } from "./repos/notifications.ts";
import type { Database, Sql } from "./sql.ts";
import { holdingSql } from "./held-writes.ts";

export function repositories(sql: Sql & { discard?(): void }): Repositories {
  return {
    stores: storeRepository(sql),
    keys: keyRepository(sql),
    members: memberRepository(sql),
    ledger: ledgerRepository(sql),
    redemptions: redemptionRepository(sql),
    audit: auditRepository(sql),
    idempotency: idempotencyRepository(sql),
    outbox: outboxRepository(sql),
    rules: ruleRepository(sql),
    ruleState: ruleStateRepository(sql),
    tiers: tierRepository(sql),
    orders: orderRepository(sql),
    exports: exportRepository(sql),
    webhooks: webhookRepository(sql),
    notifications: notificationRepository(sql),
    integrations: integrationRepository(sql),
    reports: reportRepository(sql),
    memberTokens: memberTokenRepository(sql),
    imports: importRepository(sql),
    history: historyRepository(sql),
    simulations: simulationRepository(sql),
    async savepoint(fn) {
      await sql.query("SAVEPOINT pointbook_step");
      try {
        const result = await fn();
        await sql.query("RELEASE SAVEPOINT pointbook_step");
        return result;
      } catch (error) {
        sql.discard?.(); // writes held back inside the savepoint are undone by not sending them
        await sql.query("ROLLBACK TO SAVEPOINT pointbook_step");
        throw error;
      }
    },
  };
}

export function transactor(db: Database): Transactor {
  const outside = repositories(db);
  return {
    run: (fn) => db.transaction(async (tx) => {
      const held = holdingSql(tx);
      const result = await fn(repositories(held));
      await held.flush();
      return result;
    }),
    read: (fn) => fn(outside),
  };
}
