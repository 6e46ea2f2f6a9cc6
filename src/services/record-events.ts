import { createHash } from "node:crypto";
import { computeExpiresAt } from "../core/expiry/validity.ts";
import { MemberBook } from "../core/ledger/book.ts";
import { DomainError } from "../core/errors.ts";
import type { RecordedEvent, Repositories, RuleVersionRow, OnceKey } from "../core/ports/repositories.ts";
import type { StoreRecord } from "../core/ports/records.ts";
import { evaluateRules, type RuleAward } from "../core/rules/evaluate.ts";
import { onceKeyOf } from "../core/rules/once.ts";
import { unitFieldProblem } from "../core/rules/units.ts";
import { periodKey } from "../core/rules/periods.ts";
import type { RuleVersion } from "../core/rules/schema.ts";
import { addLocalDays } from "../core/time/zone.ts";
import { requireStore, storeNow, type Actor, type Services } from "./context.ts";
import { saveBooks } from "./member-book.ts";
import { requalify, tierMultipliers } from "./tiers.ts";

export interface EventInput {
  id: string;
  type: string;
  memberId: string;
  occurredAt?: Date;
  channel?: string;
  properties: Record<string, unknown>;
}

/** 201 for a new event, 200 for a replay, or the refusal of that one event. */
export type EventOutcome =
  | { eventId: string; ok: true; statusCode: 200 | 201; body: unknown }
  | { eventId: string; ok: false; error: DomainError };

/** How far ahead of the store's clock an event may be dated (clock skew between systems). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * Canonical JSON of the parsed event (sorted keys, defaults applied), so the same event sent with
 * keys in another order, or with `properties: {}` spelled out, is the same request.
 */
export function eventFingerprint(raw: unknown): string {
  const canonical = (v: unknown): unknown =>
    v instanceof Date ? v.toISOString()
      : Array.isArray(v) ? v.map(canonical)
      : v !== null && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
      : v;
  return createHash("sha256").update(JSON.stringify(canonical(raw))).digest("hex");
}

/** The version of each rule in force at `at`; deleted rules drop out. */
export function rulesInForce(versions: readonly RuleVersionRow[], at: Date): RuleVersion[] {
  const latest = new Map<string, RuleVersionRow>();
  for (const v of versions) {
    if (v.effectiveFrom.getTime() > at.getTime()) continue;
    const seen = latest.get(v.ruleId);
    if (!seen || v.version > seen.version) latest.set(v.ruleId, v);
  }
  return [...latest.values()].filter((v) => v.rule !== null).map((v) => ({ id: v.ruleId, version: v.version, rule: v.rule! }));
}

/**
 * Records events and writes what they earn, all in the caller's transaction: idempotency claims,
 * members' ledgers (locked in sorted order), rule counters and once-keys, and the events
 * themselves. A single event is a batch of one.
 */
export async function recordEvents(
  repos: Repositories,
  services: Services,
  storeId: string,
  batch: ReadonlyArray<{ event: EventInput; fingerprint: string }>,
  actor: Actor,
): Promise<EventOutcome[]> {
  const store = await requireStore(repos, storeId);
  const now = storeNow(store, services.clock);
  const outcomes = new Map<number, EventOutcome>();
  const fresh: Array<{ index: number; event: EventInput & { occurredAt: Date; channel: string } }> = [];

  const firstIndexOf = new Map<string, number>();
  batch.forEach(({ event }, index) => {
    const occurredAt = event.occurredAt ?? now;
    if (occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      outcomes.set(index, problemOutcome(event.id, new DomainError("occurred_in_future", `occurredAt is more than 5 minutes after the store's time ${now.toISOString()}`, { errors: [{ path: "occurredAt", message: "must not be in the future" }] })));
    } else if (!firstIndexOf.has(event.id)) {
      firstIndexOf.set(event.id, index);
      fresh.push({ index, event: { ...event, occurredAt, channel: event.channel ?? "online" } });
    }
  });

  const claims = await repos.idempotency.claimMany(storeId, "event", fresh.map((f) => ({ key: f.event.id, fingerprint: batch[f.index]!.fingerprint })));
  const toProcess = fresh.filter((f) => {
    const claim = claims.get(f.event.id);
    if (claim === "claimed") return true;
    outcomes.set(f.index, replayOutcome(f.event.id, claim, batch[f.index]!.fingerprint));
    return false;
  });

  // Rules are read once for the batch; an event they cannot count is refused on its own and its
  // id released, so the others are recorded and a corrected retry is accepted.
  const versions = store.program.enabled && toProcess.length > 0 ? await repos.rules.versionsFor(store.id, [...new Set(toProcess.map((f) => f.event.type))]) : [];
  const rulesByEvent = new Map(toProcess.map((f) => [f.index, rulesInForce(versions, f.event.occurredAt).filter((rv) => rv.rule.event === f.event.type)]));
  const refused = toProcess.filter((f) => {
    const problem = unitFieldProblem(rulesByEvent.get(f.index)!, f.event, f.event.channel);
    if (problem) outcomes.set(f.index, problemOutcome(f.event.id, new DomainError("validation_failed", `${problem.path}: ${problem.message}`, { errors: [problem] })));
    return problem !== null;
  });
  await repos.idempotency.releaseMany(storeId, "event", refused.map((f) => f.event.id));
  const accepted = toProcess.filter((f) => !outcomes.has(f.index));

  const results = await evaluateAndWrite(repos, store, now, accepted.map((f) => ({ ...f.event, rules: rulesByEvent.get(f.index)! })), actor);
  accepted.forEach((f, i) => outcomes.set(f.index, { eventId: f.event.id, ok: true, statusCode: 201, body: results[i] }));
  await repos.idempotency.completeMany(storeId, "event", accepted.map((f, i) => ({ key: f.event.id, statusCode: 201, body: results[i] })));

  // Repeats of an id inside the batch answer like a replay of its first occurrence.
  batch.forEach(({ event, fingerprint }, index) => {
    if (outcomes.has(index)) return;
    const first = firstIndexOf.get(event.id)!;
    const original = outcomes.get(first)!;
    outcomes.set(index, batch[first]!.fingerprint === fingerprint && original.ok
      ? { eventId: event.id, ok: true, statusCode: 200, body: original.body }
      : problemOutcome(event.id, conflict()));
  });
  return batch.map((_, index) => outcomes.get(index)!);
}

async function evaluateAndWrite(
  repos: Repositories,
  store: StoreRecord,
  now: Date,
  events: ReadonlyArray<EventInput & { occurredAt: Date; channel: string; rules: RuleVersion[] }>,
  actor: Actor,
): Promise<unknown[]> {
  if (events.length === 0) return [];
  const memberIds = [...new Set(events.map((e) => e.memberId))];
  await repos.members.ensureMany(store.id, memberIds, now);
  const loaded = await repos.members.lockBooks(store.id, memberIds);
  const books = new Map<string, MemberBook>();
  for (const [id, l] of loaded) {
    const book = new MemberBook(l.balance, l.lots, l.holds, store.program.clawback);
    book.settleDue(now);
    books.set(id, book);
  }

  const rulesByEvent = events.map((e) => e.rules);
  const subjects = events.map((e) => subjectOf(e, loaded.get(e.memberId)!.member));

  // Store-wide once keys are claimed under an advisory lock, so two members cannot both be rewarded for one referral.
  const onceKeys: OnceKey[] = [];
  const storeKeys: string[] = [];
  events.forEach((e, i) => {
    for (const rv of rulesByEvent[i]!) {
      const key = onceKeyOf(rv, e.memberId, subjects[i]);
      if (!key) continue;
      onceKeys.push(key);
      if (key.owner === "") storeKeys.push(`${rv.id}:${key.key}`);
    }
  });
  await repos.ruleState.lockKeys(store.id, storeKeys);
  const ruleIds = [...new Set(rulesByEvent.flat().map((r) => r.id))];
  const periods = [...new Set(events.flatMap((e) => [periodKey("day", e.occurredAt, store.timezone), periodKey("month", e.occurredAt, store.timezone)]))];
  const state = await repos.ruleState.load(store.id, memberIds, ruleIds, [...periods, "lifetime"], onceKeys);
  const tiers = await repos.tiers.list(store.id);
  const multipliers = tierMultipliers(tiers);

  const recorded: RecordedEvent[] = [];
  const results = events.map((e, i) => {
    const member = loaded.get(e.memberId)!.member;
    const book = books.get(e.memberId)!;
    const { awards, skipped } = evaluateRules(rulesByEvent[i]!, {
      eventType: e.type, occurredAt: e.occurredAt, channel: e.channel, subject: subjects[i],
      member: { memberId: e.memberId, tier: member.tier, isMember: member.isMember },
      tierMultiplier: (member.tier && multipliers.get(member.tier)) || 1,
      campaigns: store.program.campaigns, timezone: store.timezone,
    }, state);
    const written = awards.map((a) => creditAward(book, store, now, e, a, actor));
    const points = written.reduce((sum, w) => sum + w.points, 0);
    recorded.push({ id: e.id, type: e.type, memberId: e.memberId, occurredAt: e.occurredAt, channel: e.channel, properties: e.properties, points, recordedAt: now });
    return { eventId: e.id, awards: written, ...(skipped.length > 0 ? { skipped } : {}) };
  });

  await saveBooks(repos, store.id, [...books.values()], now);
  await repos.ruleState.save(store.id, state, null);
  await repos.ruleState.recordEvents(store.id, recorded);
  await requalify(repos, store, [...new Set(recorded.filter((r) => r.points > 0).map((r) => r.memberId))], now, undefined, tiers);
  await repos.outbox.addMany(store.id, results.flatMap((r, i) => {
    const points = r.awards.reduce((s, a) => s + a.points, 0);
    const memberId = events[i]!.memberId;
    return points > 0 ? [{ topic: "member.points_changed", memberId, payload: { memberId, eventId: r.eventId, points } }] : [];
  }));
  return JSON.parse(JSON.stringify(results)) as unknown[];
}

function creditAward(book: MemberBook, store: StoreRecord, now: Date, e: EventInput & { occurredAt: Date }, a: RuleAward, actor: Actor) {
  const availableAt = a.delayDays > 0 ? addLocalDays(e.occurredAt, a.delayDays, store.timezone) : e.occurredAt;
  const expiresAt = computeExpiresAt(a.validity ?? store.program.validity, { earnedAt: e.occurredAt, availableAt }, store.timezone);
  const { lot } = book.credit({
    type: "earn", points: a.points, earnedAt: e.occurredAt, availableAt, expiresAt, at: now, actor: actor.id,
    source: { type: "event", ref: e.id }, reason: String((a.explanation.rule as { name: string }).name), explanation: a.explanation,
  });
  return {
    ruleId: a.ruleId, ruleVersion: a.version, points: a.points,
    status: lot.status === "pending" ? ("pending" as const) : ("available" as const),
    availableAt, expiresAt, explanation: a.explanation,
  };
}

function subjectOf(e: EventInput & { occurredAt: Date; channel: string }, member: { tier: string | null; tags: string[]; isMember: boolean }) {
  return {
    id: e.id, type: e.type, memberId: e.memberId, channel: e.channel, occurredAt: e.occurredAt.toISOString(),
    properties: e.properties, member: { tier: member.tier, tags: member.tags, isMember: member.isMember },
  };
}

function conflict(): DomainError {
  return new DomainError("idempotency_conflict", "an event with this id was recorded with a different body");
}

function problemOutcome(eventId: string, error: DomainError): EventOutcome {
  return { eventId, ok: false, error };
}

function replayOutcome(eventId: string, stored: { fingerprint: string; statusCode: number; body: unknown } | undefined, fingerprint: string): EventOutcome {
  if (!stored || stored.fingerprint !== fingerprint) return problemOutcome(eventId, conflict());
  return { eventId, ok: true, statusCode: 200, body: stored.body };
}
