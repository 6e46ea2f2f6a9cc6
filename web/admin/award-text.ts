import { money, points } from "./format.ts";
import type { Json } from "./ui/object-path.ts";

/** An earn rule's award in words ("1 per $10.00 spent"), as the rule list and the simulator show it. */
export function awardText(award: Json, currency: string): string {
  const p = Number(award.points);
  switch (award.type) {
    case "fixed": return `${points(p)} points`;
    case "per_amount": return `${points(p)} per ${money(Number(award.per), currency)} spent`;
    case "per_unit": return `${points(p)} per ${award.per} ${award.field}`;
    case "every_nth": return `${points(p)} every ${award.every} times`;
    default: return String(award.type);
  }
}
