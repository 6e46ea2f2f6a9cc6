import type { FieldError } from "../errors.ts";
import { MAX_VALUE } from "../limits.ts";
import { readPath } from "./paths.ts";
import type { RuleVersion } from "./schema.ts";

/**
 * A `per_unit` rule counts a number the event carries. A value that is not a whole number from 0
 * to 10^12 is the sender's mistake: the event is refused, naming the field, and nothing is
 * recorded, rather than the rule silently skipping it or a huge value overflowing the ledger.
 */
export function unitFieldProblem(rules: readonly RuleVersion[], subject: unknown, channel: string): FieldError | null {
  for (const { rule } of rules) {
    if (!rule.enabled || rule.award.type !== "per_unit") continue;
    if (rule.channels && !rule.channels.includes(channel)) continue;
    const value = readPath(subject, rule.award.field);
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= MAX_VALUE) continue;
    return { path: rule.award.field, message: `must be a whole number from 0 to ${MAX_VALUE} (the rule "${rule.name}" counts it)` };
  }
  return null;
}
