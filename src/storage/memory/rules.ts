import type { EarnRuleRecord, RuleRepository } from "../../core/ports/repositories.ts";
import type { EarnRule } from "../../core/rules/schema.ts";
import { uniqueViolation } from "./errors.ts";
import { peek, type RuleRow, type RuleVersionRow, type Tenant } from "./state.ts";
import { programChanged, requireStoreRow, tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { compareText, firstN, fromJsonb, page, timestamp } from "./values.ts";

/** A live rule joined to its current version; none when deleted (or its version is missing). */
function current(t: Tenant, r: RuleRow): EarnRuleRecord | null {
  const v = t.ruleVersions.get(r.id)?.get(r.currentVersion);
  if (r.deletedAt !== null || !v) return null;
  return { id: r.id, version: r.currentVersion, rule: fromJsonb(v.definition)!, createdAt: r.createdAt, updatedAt: r.updatedAt };
}

function insertVersion(tx: MemoryTx, t: Tenant, row: RuleVersionRow): void {
  const versions = tx.inner(t.ruleVersions, row.ruleId, () => new Map<number, RuleVersionRow>());
  if (versions.has(row.version)) throw uniqueViolation("earn_rule_versions", `rule_id=${row.ruleId}, version=${row.version}`);
  tx.put(versions, row.version, row);
}

export function ruleRepository(tx: MemoryTx): RuleRepository {
  const { jsonb } = tx.state.documents;
  return {
    async create(storeId, record, effectiveFrom, actor) {
      requireStoreRow(tx, storeId, "earn_rules");
      const t = tenantFor(tx, storeId);
      if (t.rules.has(record.id)) throw uniqueViolation("earn_rules", `id=${record.id}`);
      const at = timestamp(record.createdAt, "created_at");
      tx.put(t.rules, record.id, { id: record.id, currentVersion: record.version, createdAt: at, updatedAt: at, deletedAt: null });
      insertVersion(tx, t, {
        ruleId: record.id, version: record.version, event: record.rule.event, definition: jsonb<EarnRule>(record.rule),
        effectiveFrom: timestamp(effectiveFrom, "effective_from"), actor, createdAt: at,
      });
      programChanged(tx, storeId);
    },
    async addVersion(storeId, ruleId, version, rule, event, effectiveFrom, actor, at) {
      const t = tenantFor(tx, storeId);
      const when = timestamp(at, "created_at");
      insertVersion(tx, t, { ruleId, version, event, definition: jsonb(rule), effectiveFrom: timestamp(effectiveFrom, "effective_from"), actor, createdAt: when });
      programChanged(tx, storeId);
      const row = t.rules.get(ruleId);
      if (row) tx.put(t.rules, ruleId, { ...row, currentVersion: version, updatedAt: when, deletedAt: rule === null ? when : null });
    },
    async get(storeId, ruleId) {
      const t = peek(tx.state, storeId);
      const row = t.rules.get(ruleId);
      return row ? current(t, row) : null;
    },
    async list(storeId, limit, cursor) {
      const t = peek(tx.state, storeId);
      const rows = firstN(t.rules.values(), (r) => current(t, r) !== null && (cursor === null || compareText(r.id, cursor) > 0), (a, b) => compareText(a.id, b.id), limit + 1);
      return page(rows, limit, (r) => current(t, r)!, (r) => r.id);
    },
    async versionsFor(storeId, eventTypes) {
      const t = peek(tx.state, storeId);
      const types = eventTypes === undefined ? null : new Set(eventTypes);
      const rules = [...t.ruleVersions].filter(([, versions]) => types === null || [...versions.values()].some((v) => types.has(v.event)));
      return rules
        .sort(([a], [b]) => compareText(a, b))
        .flatMap(([, versions]) => [...versions.values()].sort((a, b) => a.version - b.version))
        .map((v) => ({ ruleId: v.ruleId, version: v.version, rule: fromJsonb(v.definition), effectiveFrom: v.effectiveFrom }));
    },
  };
}
