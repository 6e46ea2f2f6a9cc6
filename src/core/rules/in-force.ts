import type { RuleVersionRow } from "../ports/repositories.ts";
import type { RuleVersion } from "./schema.ts";

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
