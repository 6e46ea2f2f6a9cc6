import type { Condition } from "./schema.ts";
import { readPath } from "./paths.ts";

type Scalar = string | number | boolean | null;

/**
 * Whether one condition holds. An array field (e.g. `order.tags`) matches `eq`/`in` when any element
 * does, and `ne`/`nin` when none does; comparisons accept numbers and ISO instants.
 */
export function conditionHolds(condition: Condition, subject: unknown): boolean {
  const value = readPath(subject, condition.field);
  switch (condition.op) {
    case "exists":
      return (value !== undefined && value !== null) === condition.value;
    case "eq":
      return anyOf(value, (v) => v === condition.value);
    case "ne":
      return !anyOf(value, (v) => v === condition.value);
    case "in":
      return anyOf(value, (v) => condition.value.some((c) => c === v));
    case "nin":
      return !anyOf(value, (v) => condition.value.some((c) => c === v));
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return compare(value, condition.value, condition.op);
  }
}

export function allConditionsHold(conditions: readonly Condition[], subject: unknown): boolean {
  return conditions.every((c) => conditionHolds(c, subject));
}

function anyOf(value: unknown, test: (v: Scalar) => boolean): boolean {
  if (Array.isArray(value)) return value.some((v) => test(v as Scalar));
  return test(value === undefined ? null : (value as Scalar));
}

function compare(value: unknown, target: number | string, op: "gt" | "gte" | "lt" | "lte"): boolean {
  const a = toComparable(value);
  const b = toComparable(target);
  if (a === null || b === null) return false;
  switch (op) {
    case "gt":
      return a > b;
    case "gte":
      return a >= b;
    case "lt":
      return a < b;
    case "lte":
      return a <= b;
  }
}

function toComparable(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const t = Date.parse(value);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}
