import type { EarnRuleRecord, RuleRepository, RuleStateRepository } from "../../core/ports/repositories.ts";
import type { EarnRule } from "../../core/rules/schema.ts";
import { RuleState } from "../../core/rules/state.ts";
import { json, type Sql, write } from "../sql.ts";
import { programChanged } from "./stores.ts";

interface RuleRow { id: string; version: number; definition: EarnRule; created_at: Date; updated_at: Date }
const toRule = (r: RuleRow): EarnRuleRecord => ({ id: r.id, version: r.version, rule: r.definition, createdAt: r.created_at, updatedAt: r.updated_at });

const CURRENT = `SELECT r.id, r.current_version AS version, v.definition, r.created_at, r.updated_at
  FROM earn_rules r JOIN earn_rule_versions v ON v.store_id = r.store_id AND v.rule_id = r.id AND v.version = r.current_version
  WHERE r.store_id = $1 AND r.deleted_at IS NULL`;

export function ruleRepository(sql: Sql): RuleRepository {
  return {
    async create(storeId, record, effectiveFrom, actor) {
      await sql.query("INSERT INTO earn_rules (store_id, id, current_version, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
        [storeId, record.id, record.version, record.createdAt]);
      await sql.query(
        `INSERT INTO earn_rule_versions (store_id, rule_id, version, event, definition, effective_from, actor, created_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)`,
        [storeId, record.id, record.version, record.rule.event, json(record.rule), effectiveFrom, actor, record.createdAt]);
      await programChanged(sql, storeId);
    },
    async addVersion(storeId, ruleId, version, rule, event, effectiveFrom, actor, at) {
      await sql.query(
        `INSERT INTO earn_rule_versions (store_id, rule_id, version, event, definition, effective_from, actor, created_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)`,
        [storeId, ruleId, version, event, json(rule), effectiveFrom, actor, at]);
      await programChanged(sql, storeId);
      await sql.query(
        `UPDATE earn_rules SET current_version = $3, updated_at = $4, deleted_at = CASE WHEN $5 THEN $4::timestamptz ELSE NULL END
         WHERE store_id = $1 AND id = $2`,
        [storeId, ruleId, version, at, rule === null]);
    },
    async get(storeId, ruleId, lock) {
      const [row] = await sql.query<RuleRow>(`${CURRENT} AND r.id = $2${lock ? " FOR UPDATE OF r" : ""}`, [storeId, ruleId]);
      return row ? toRule(row) : null;
    },
    async list(storeId, limit, cursor) {
      const rows = await sql.query<RuleRow>(`${CURRENT} AND ($2::text IS NULL OR r.id > $2) ORDER BY r.id LIMIT $3`, [storeId, cursor, limit + 1]);
      const data = rows.slice(0, limit).map(toRule);
      return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.id : null };
    },
    async versionsFor(storeId, eventTypes) {
      const rows = await sql.query<{ rule_id: string; version: number; definition: EarnRule | null; effective_from: Date }>(
        `SELECT rule_id, version, definition, effective_from FROM earn_rule_versions
         WHERE store_id = $1 AND ($2::text[] IS NULL
           OR rule_id IN (SELECT rule_id FROM earn_rule_versions WHERE store_id = $1 AND event = ANY($2::text[])))
         ORDER BY rule_id, version`,
        [storeId, eventTypes ? [...eventTypes] : null]);
      return rows.map((r) => ({ ruleId: r.rule_id, version: r.version, rule: r.definition, effectiveFrom: r.effective_from }));
    },
  };
}

export function ruleStateRepository(sql: Sql): RuleStateRepository {
  return {
    async lockKeys(storeId, keys) {
      for (const key of [...new Set(keys)].sort()) {
        await sql.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`${storeId}:${key}`]);
      }
    },
    async load(storeId, memberIds, ruleIds, periods, once) {
      if (ruleIds.length === 0) return new RuleState();
      const counters = await sql.query<{ member_id: string; rule_id: string; period: string; points: number; times: number; units: number }>(
        // Member by member through the primary key whatever the planner knows of the table (a lateral
        // subquery it may not flatten: OFFSET 0); without statistics it scanned the whole store's.
        `SELECT c.member_id, c.rule_id, c.period, c.points, c.times, c.units FROM unnest($2::text[]) AS m(id) CROSS JOIN LATERAL (
           SELECT * FROM rule_counters WHERE store_id = $1 AND member_id = m.id AND rule_id = ANY($3::text[]) AND period = ANY($4::text[]) OFFSET 0) c`,
        [storeId, [...memberIds], [...ruleIds], [...periods]]);
      const claims = once.length === 0 ? [] : await sql.query<{ rule_id: string; owner: string; key: string }>(
        `SELECT o.rule_id, o.owner, o.key FROM rule_once o
         JOIN jsonb_to_recordset($2::jsonb) AS x(rule_id text, owner text, key text)
           ON o.rule_id = x.rule_id AND o.owner = x.owner AND o.key = x.key
         WHERE o.store_id = $1`,
        [storeId, json(once.map((o) => ({ rule_id: o.ruleId, owner: o.owner, key: o.key })))]);
      return new RuleState(
        counters.map((c) => ({ memberId: c.member_id, ruleId: c.rule_id, period: c.period, points: c.points, times: c.times, units: c.units })),
        claims.map((c) => ({ ruleId: c.rule_id, owner: c.owner, key: c.key })),
      );
    },
    async save(storeId, state, sourceRef) {
      const { counters, claims } = state.changes();
      if (counters.length > 0) {
        await write(sql, 
          `INSERT INTO rule_counters (store_id, member_id, rule_id, period, points, times, units)
           SELECT $1, x.member_id, x.rule_id, x.period, x.points, x.times, x.units
           FROM jsonb_to_recordset($2::jsonb) AS x(member_id text, rule_id text, period text, points bigint, times bigint, units double precision)
           ON CONFLICT (store_id, member_id, rule_id, period) DO UPDATE SET
             points = rule_counters.points + EXCLUDED.points,
             times = rule_counters.times + EXCLUDED.times,
             units = rule_counters.units + EXCLUDED.units`,
          [storeId, json(counters.map((c) => ({ member_id: c.memberId, rule_id: c.ruleId, period: c.period, points: c.points, times: c.times, units: c.units })))]);
      }
      if (claims.length > 0) {
        await write(sql, 
          `INSERT INTO rule_once (store_id, rule_id, owner, key, member_id, source_ref)
           SELECT $1, x.rule_id, x.owner, x.key, x.member_id, $3 FROM jsonb_to_recordset($2::jsonb) AS x(rule_id text, owner text, key text, member_id text)`,
          [storeId, json(claims.map((c) => ({ rule_id: c.ruleId, owner: c.owner, key: c.key, member_id: c.memberId }))), sourceRef]);
      }
    },
    async recordEvents(storeId, events) {
      if (events.length === 0) return;
      await write(sql, 
        `INSERT INTO events (store_id, id, type, member_id, occurred_at, channel, properties, points, recorded_at, member)
         SELECT $1, x.id, x.type, x.member_id, x.occurred_at, x.channel, x.properties, x.points, x.recorded_at, x.member
         FROM jsonb_to_recordset($2::jsonb) AS x(id text, type text, member_id text, occurred_at timestamptz, channel text,
           properties jsonb, points bigint, recorded_at timestamptz, member jsonb)`,
        [storeId, json(events.map((e) => ({ id: e.id, type: e.type, member_id: e.memberId, occurred_at: e.occurredAt, channel: e.channel,
          properties: e.properties, points: e.points, recorded_at: e.recordedAt, member: e.member })))]);
    },
  };
}
