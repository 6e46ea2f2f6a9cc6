import { DomainError } from "../errors.ts";
import type { RuleVersion } from "./schema.ts";
import { unitFieldProblem } from "./units.ts";

/** How far ahead of the store's clock an event may be dated (clock skew between systems). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** An event dated more than the tolerance after the store's time is refused before anything is claimed. */
export function futureRefusal(occurredAt: Date, now: Date): DomainError | null {
  if (occurredAt.getTime() <= now.getTime() + FUTURE_TOLERANCE_MS) return null;
  return new DomainError("occurred_in_future", `occurredAt is more than 5 minutes after the store's time ${now.toISOString()}`, {
    errors: [{ path: "occurredAt", message: "must not be in the future" }],
  });
}

/** An event that a `per_unit` rule in force cannot count is refused on its own, naming the field. */
export function unitRefusal(rules: readonly RuleVersion[], event: { channel: string; properties: Record<string, unknown> }): DomainError | null {
  const problem = unitFieldProblem(rules, event, event.channel);
  return problem ? new DomainError("validation_failed", `${problem.path}: ${problem.message}`, { errors: [problem] }) : null;
}
