import { DomainError } from "../core/errors.ts";
import type { Repositories, StoredCommand } from "../core/ports/repositories.ts";
import type { AcceptedEvent } from "../core/rules/event.ts";
import { futureRefusal, unitRefusal } from "../core/rules/event-checks.ts";
import { rulesInForce } from "../core/rules/in-force.ts";
import { requireStore, storeNow, type Actor, type Services } from "./context.ts";
import { writeEvents } from "./event-write.ts";
import { programSnapshot, versionsFor } from "./program-snapshot.ts";

export { eventFingerprint } from "./event-fingerprint.ts";

export interface EventInput {
  id: string;
  type: string;
  memberId: string;
  occurredAt?: Date;
  channel?: string;
  properties: Record<string, unknown>;
}

/** A new event recorded, a replay of one recorded before (same id and body), or the refusal of that one event. */
export type EventOutcome =
  | { eventId: string; kind: "recorded"; body: unknown }
  | { eventId: string; kind: "replayed"; body: unknown }
  | { eventId: string; kind: "refused"; error: DomainError };

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
  const fresh: Array<{ index: number; event: Omit<AcceptedEvent, "rules"> }> = [];

  const firstIndexOf = new Map<string, number>();
  batch.forEach(({ event }, index) => {
    const occurredAt = event.occurredAt ?? now;
    const future = futureRefusal(occurredAt, now);
    if (future) {
      outcomes.set(index, refused(event.id, future));
    } else if (!firstIndexOf.has(event.id)) {
      firstIndexOf.set(event.id, index);
      fresh.push({ index, event: { ...event, occurredAt, channel: event.channel ?? "online" } });
    }
  });

  const claims = await repos.idempotency.claimMany(storeId, "event", fresh.map((f) => ({ key: f.event.id, fingerprint: batch[f.index]!.fingerprint })));
  const toProcess = fresh.filter((f) => {
    const claim = claims.get(f.event.id);
    if (claim === "claimed") return true;
    outcomes.set(f.index, replayOf(f.event.id, claim, batch[f.index]!.fingerprint));
    return false;
  });

  // Rules are read once for the batch; an event they cannot count is refused on its own and its
  // id released, so the others are recorded and a corrected retry is accepted.
  const program = toProcess.length > 0 ? await programSnapshot(services, repos, store) : null;
  const versions = store.program.enabled && program ? versionsFor(program, [...new Set(toProcess.map((f) => f.event.type))]) : [];
  const accepted: Array<{ index: number; event: AcceptedEvent }> = [];
  const released: string[] = [];
  for (const f of toProcess) {
    const rules = rulesInForce(versions, f.event.occurredAt).filter((rv) => rv.rule.event === f.event.type);
    const problem = unitRefusal(rules, f.event);
    if (problem) {
      outcomes.set(f.index, refused(f.event.id, problem));
      released.push(f.event.id);
    } else {
      accepted.push({ index: f.index, event: { ...f.event, rules } });
    }
  }
  await repos.idempotency.releaseMany(storeId, "event", released);

  const bodies = await writeEvents(repos, store, program?.tiers ?? [], now, accepted.map((f) => f.event), actor);
  accepted.forEach((f, i) => outcomes.set(f.index, { eventId: f.event.id, kind: "recorded", body: bodies[i] }));
  await repos.idempotency.completeMany(storeId, "event", accepted.map((f, i) => ({ key: f.event.id, outcome: { ok: true as const, value: bodies[i] } })));

  // Repeats of an id inside the batch answer like a replay of its first occurrence.
  batch.forEach(({ event, fingerprint }, index) => {
    if (outcomes.has(index)) return;
    const first = firstIndexOf.get(event.id)!;
    const original = outcomes.get(first)!;
    outcomes.set(index, batch[first]!.fingerprint === fingerprint && original.kind !== "refused"
      ? { eventId: event.id, kind: "replayed", body: original.body }
      : refused(event.id, conflict()));
  });
  return batch.map((_, index) => outcomes.get(index)!);
}

function conflict(): DomainError {
  return new DomainError("idempotency_conflict", "an event with this id was recorded with a different body");
}

function refused(eventId: string, error: DomainError): EventOutcome {
  return { eventId, kind: "refused", error };
}

function replayOf(eventId: string, stored: StoredCommand | undefined, fingerprint: string): EventOutcome {
  // Only recorded events are stored under their id (a refused one's id is released).
  if (!stored || stored.fingerprint !== fingerprint || !stored.outcome?.ok) return refused(eventId, conflict());
  return { eventId, kind: "replayed", body: stored.outcome.value };
}
