import type { OnceKey } from "../ports/repositories.ts";
import { subjectOf, type AcceptedEvent, type EventMember } from "./event.ts";
import { onceKeyOf } from "./once.ts";
import { periodKey } from "./periods.ts";

export interface StateKeys {
  /** Store-wide once keys, locked before the state is read so two members cannot both claim one. */
  storeLocks: string[];
  ruleIds: string[];
  periods: string[];
  onceKeys: OnceKey[];
}

/** The rule state a batch of events reads: counters of its rules and periods, and the once keys it may claim. */
export function stateKeysFor(events: readonly AcceptedEvent[], members: ReadonlyMap<string, EventMember>, timezone: string): StateKeys {
  const onceKeys: OnceKey[] = [];
  const storeLocks: string[] = [];
  for (const e of events) {
    const once = e.rules.filter((rv) => rv.rule.limits.once !== undefined);
    if (once.length === 0) continue;
    const subject = subjectOf(e, members.get(e.memberId)!);
    for (const rv of once) {
      const key = onceKeyOf(rv, e.memberId, subject);
      if (!key) continue;
      onceKeys.push(key);
      if (key.owner === "") storeLocks.push(`${rv.id}:${key.key}`);
    }
  }
  const ruleIds = [...new Set(events.flatMap((e) => e.rules.map((r) => r.id)))];
  const periods = [...new Set(events.flatMap((e) => [periodKey("day", e.occurredAt, timezone), periodKey("month", e.occurredAt, timezone)]))];
  return { storeLocks, ruleIds, periods: [...periods, "lifetime"], onceKeys };
}
