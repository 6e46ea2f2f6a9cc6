import type { RuleStateRepository } from "../../core/ports/repositories.ts";
import { RuleState } from "../../core/rules/state.ts";
import { uniqueViolation } from "./errors.ts";
import { peek, type EventRow } from "./state.ts";
import { tenantFor } from "./tables.ts";
import type { MemoryTx } from "./transaction.ts";
import { integer, timestamp } from "./values.ts";

const counterKey = (memberId: string, ruleId: string, period: string) => `${memberId}\u0000${ruleId}\u0000${period}`;
const onceKey = (ruleId: string, owner: string, key: string) => `${ruleId}\u0000${owner}\u0000${key}`;

export function ruleStateRepository(tx: MemoryTx): RuleStateRepository {
  const { jsonb, requiredJsonb } = tx.state.documents;
  return {
    /** Nothing to wait for: transactions run one at a time. */
    async lockKeys() {},
    async load(storeId, memberIds, ruleIds, periods, once) {
      if (ruleIds.length === 0) return new RuleState();
      const t = peek(tx.state, storeId);
      const counters = [];
      // Each list's distinct values made once, not once for every member (or member and rule).
      const distinctRules = new Set(ruleIds);
      const distinctPeriods = new Set(periods);
      for (const m of new Set(memberIds)) {
        for (const r of distinctRules) {
          for (const p of distinctPeriods) {
            const c = t.counters.get(counterKey(m, r, p));
            if (c) counters.push({ memberId: c.memberId, ruleId: c.ruleId, period: c.period, points: c.points, times: c.times, units: c.units });
          }
        }
      }
      const claims = once.filter((o) => t.once.has(onceKey(o.ruleId, o.owner, o.key))).map((o) => ({ ruleId: o.ruleId, owner: o.owner, key: o.key }));
      return new RuleState(counters, claims);
    },
    async save(storeId, state, sourceRef) {
      const { counters, claims } = state.changes();
      const t = tenantFor(tx, storeId);
      for (const c of counters) {
        const key = counterKey(c.memberId, c.ruleId, c.period);
        const before = t.counters.get(key) ?? { memberId: c.memberId, ruleId: c.ruleId, period: c.period, points: 0, times: 0, units: 0 };
        tx.put(t.counters, key, {
          ...before, points: integer(before.points + c.points, "points"), times: integer(before.times + c.times, "times"), units: before.units + c.units,
        });
      }
      for (const c of claims) {
        const key = onceKey(c.ruleId, c.owner, c.key);
        if (t.once.has(key)) throw uniqueViolation("rule_once", `rule_id=${c.ruleId}, owner=${c.owner}, key=${c.key}`);
        tx.put(t.once, key, { ruleId: c.ruleId, owner: c.owner, key: c.key, memberId: c.memberId, sourceRef, createdAt: tx.startedAt });
      }
    },
    async recordEvents(storeId, events) {
      if (events.length === 0) return;
      const t = tenantFor(tx, storeId);
      for (const e of events) {
        if (t.events.has(e.id)) throw uniqueViolation("events", `id=${e.id}`);
        const row: EventRow = {
          id: e.id, type: e.type, memberId: e.memberId, occurredAt: timestamp(e.occurredAt, "occurred_at"), channel: e.channel,
          properties: requiredJsonb(e.properties, "events", "properties"), points: integer(e.points, "points"), recordedAt: timestamp(e.recordedAt, "recorded_at"),
          member: jsonb(e.member),
        };
        tx.put(t.events, e.id, row);
      }
    },
  };
}
