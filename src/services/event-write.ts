import type { Repositories } from "../core/ports/repositories.ts";
import type { StoreRecord } from "../core/ports/records.ts";
import { applyEvents, type AppliedEvents } from "../core/rules/apply-events.ts";
import type { AcceptedEvent } from "../core/rules/event.ts";
import { stateKeysFor } from "../core/rules/state-keys.ts";
import type { Actor } from "./context.ts";
import { saveBooks, settledBooks } from "./member-book.ts";
import { requalify, tierMultipliers } from "./tiers.ts";
import type { Tier } from "../core/tiers/schema.ts";

/**
 * Writes what accepted events earn, in the caller's transaction: loads the members' books (locked
 * in sorted order) and their rule state, lets core decide, and saves the result. Returns each
 * event's result as the JSON body it is answered and stored with.
 */
export async function writeEvents(repos: Repositories, store: StoreRecord, tiers: readonly Tier[], now: Date, events: readonly AcceptedEvent[], actor: Actor): Promise<unknown[]> {
  if (events.length === 0) return [];
  const memberIds = [...new Set(events.map((e) => e.memberId))];
  const loaded = await repos.members.createAndLockBooks(store.id, memberIds, now);
  const books = settledBooks(loaded, store, now);
  const members = new Map([...loaded].map(([id, l]) => [id, l.member]));
  const keys = stateKeysFor(events, members, store.timezone);
  await repos.ruleState.lockKeys(store.id, keys.storeLocks);
  const state = await repos.ruleState.load(store.id, memberIds, keys.ruleIds, keys.periods, keys.onceKeys);

  const applied = applyEvents({
    program: { timezone: store.timezone, campaigns: store.program.campaigns, validity: store.program.validity },
    events, members, books, state, tierMultipliers: tierMultipliers(tiers), now, actor: actor.id,
  });

  await saveBooks(repos, store.id, [...books.values()], now);
  await repos.ruleState.save(store.id, state, null);
  await repos.ruleState.recordEvents(store.id, applied.recorded);
  await requalify(repos, store, applied.earners, now, undefined, tiers);
  return bodiesOf(applied);
}

/** Dates as ISO strings and no undefined fields: the same body for the first answer and every replay. */
function bodiesOf(applied: AppliedEvents): unknown[] {
  return JSON.parse(JSON.stringify(applied.results)) as unknown[];
}
