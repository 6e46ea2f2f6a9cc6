import { readPath } from "./paths.ts";
import type { RuleVersion } from "./schema.ts";

/** The `once` key a rule would claim for this member and subject; null when it has none. */
export function onceKeyOf(rv: RuleVersion, memberId: string, subject: unknown): { ruleId: string; owner: string; key: string } | null {
  const once = rv.rule.limits.once;
  if (once === undefined) return null;
  if (once === true) return { ruleId: rv.id, owner: memberId, key: "" };
  const value = readPath(subject, once.key);
  if (value === undefined || value === null || value === "") return null;
  return { ruleId: rv.id, owner: once.scope === "member" ? memberId : "", key: String(value) };
}
