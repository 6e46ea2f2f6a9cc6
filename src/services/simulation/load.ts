import type { Repositories } from "../../core/ports/repositories.ts";
import type { MonthFlow } from "../../core/ports/reports.ts";
import { assembleInputs, wallOf } from "../../core/simulation/assemble.ts";
import type { RuleVersionRow } from "../../core/ports/repositories.ts";
import type { AuditRecord } from "../../core/ports/records.ts";
import { withProgramDefaults, type ProgramSettings } from "../../core/program/settings.ts";
import type { StoreHistory } from "../../core/simulation/history.ts";
import type { HistoryOrderRow, OrderUpdate } from "../../core/ports/history.ts";
import type { Order } from "../../core/orders/order.ts";
import { requireStore, storeNow, type Services } from "../context.ts";

async function allMethods(repos: Repositories, storeId: string) {
  const out: StoreHistory["redeemMethods"] = [];
  let cursor: string | null = null;
  do {
    const page = await repos.redemptions.listMethods(storeId, 500, cursor);
    out.push(...page.data.map((m) => ({ id: m.id, type: m.type, config: m.config, createdAt: m.createdAt, deletedAt: null })));
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/**
 * The audit record of each rule change, oldest first per rule: the k-th is the change that made
 * the rule's k-th version, and its time-ordered id says when, among inputs of the same instant.
 */
async function auditTrail(repos: Repositories, storeId: string): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = await repos.audit.list(storeId, 500, cursor);
    out.push(...page.data.filter((a) => a.entityType === "earn_rule" || a.action === "program.updated" || a.action === "redeem_method.deleted"));
    cursor = page.nextCursor;
  } while (cursor);
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

function ruleChangeWalls(trail: readonly AuditRecord[]): Map<string, string[]> {
  const changes = trail.filter((a) => a.entityType === "earn_rule").map((a) => ({ id: a.id, ruleId: a.entityId }));
  const walls = new Map<string, string[]>();
  for (const c of changes.sort((a, b) => (a.id < b.id ? -1 : 1))) walls.set(c.ruleId, [...(walls.get(c.ruleId) ?? []), wallOf(c.id)]);
  return walls;
}

/** A store's history, its real monthly flows (what a replay of its own program must reproduce), and its time now. */
export interface LoadedHistory {
  history: StoreHistory;
  flows: MonthFlow[];
  now: Date;
}

/**
 * Reads everything a replay needs in one transaction that sees one snapshot of the store, so it is
 * one consistent picture while the store keeps taking inputs: an order is read with all its
 * updates and entries, and the ledger's flows hold no entry of an input the history lacks.
 */
export async function loadHistory(services: Services, storeId: string): Promise<LoadedHistory> {
  return services.tx.run(async (repos) => {
    await repos.history.snapshot();
    const store = await requireStore(repos, storeId);
    const events = await repos.history.events(storeId);
    const updates = await repos.history.orderUpdates(storeId);
    const orders = await repos.history.orders(storeId);
    const raw = {
      events, updates, orders,
      documents: await unloggedDocuments(repos, storeId, orders, updates),
      redemptions: await repos.history.redemptions(storeId),
      entries: await repos.history.inputEntries(storeId),
    };
    const inputs = assembleInputs(raw);
    // Settings as they were at first, then each change at its moment (the audit log keeps both sides).
    const trail = await auditTrail(repos, storeId);
    const settings = trail.filter((a) => a.action === "program.updated");
    const initial = (settings[0]?.before as ProgramSettings | undefined) ?? store.program;
    const history: StoreHistory = {
      store: { id: store.id, name: store.name, currency: store.currency, timezone: store.timezone, program: withProgramDefaults(initial), createdAt: store.createdAt },
      settingsChanges: settings.map((a) => ({ at: a.at, wall: wallOf(a.id), settings: withProgramDefaults(a.after as ProgramSettings) })),
      members: await repos.history.members(storeId),
      ...inputs,
      ruleVersions: ruleVersionsWithWalls(await repos.rules.versionsFor(storeId), ruleChangeWalls(trail)),
      tiers: await repos.tiers.list(storeId),
      redeemMethods: [...await allMethods(repos, storeId), ...deletedMethods(trail)],
    };
    return { history, flows: await repos.reports.monthlyFlows(storeId, store.timezone), now: storeNow(store, services.clock) };
  });
}

/**
 * The documents of the orders without logged updates (recorded before updates were kept): every
 * other order's document is its last logged update's (HistoryRepository.orderBodies), already read,
 * and made an object only where it is read (LoggedOrder). Read again for every order, they were a
 * third of the read (the orders statement at 200 000 orders: 2.2 to 3.3 s with them, 1.45 s
 * without); parsed from the updates here, a year's took 0.5 s and a heap the read had to collect.
 */
async function unloggedDocuments(repos: Repositories, storeId: string, rows: readonly HistoryOrderRow[], updates: readonly OrderUpdate[]): Promise<Map<string, Order>> {
  const logged = new Set<string>();
  for (const u of updates) logged.add(u.orderId);
  return repos.history.orderBodies(storeId, rows.filter((o) => !logged.has(o.id)).map((o) => o.id));
}

function ruleVersionsWithWalls(versions: readonly RuleVersionRow[], walls: ReadonlyMap<string, string[]>): StoreHistory["ruleVersions"] {
  const sorted = [...versions].sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : a.version - b.version));
  const seen = new Map<string, number>();
  return sorted.map((v) => {
    const k = seen.get(v.ruleId) ?? 0;
    seen.set(v.ruleId, k + 1);
    return { ruleId: v.ruleId, version: v.version, rule: v.rule, effectiveFrom: v.effectiveFrom, wall: walls.get(v.ruleId)?.[k] ?? null };
  });
}

/** Methods deleted since (their last settings are in the audit log): a redemption made before may name one. */
function deletedMethods(trail: readonly AuditRecord[]): StoreHistory["redeemMethods"] {
  return trail.filter((a) => a.action === "redeem_method.deleted" && a.before !== null && typeof a.before === "object").map((a) => {
    const config = a.before as Record<string, unknown>;
    return { id: a.entityId, type: String(config.type), config, createdAt: a.at, deletedAt: a.at };
  });
}
