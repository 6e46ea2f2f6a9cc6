/**
 * The simulator's data: a program document (what GET /v1/program/export returns and
 * PUT /v1/program/import takes), a simulation's figures for two programs side by side, and the
 * assistant's proposals. Plain JSON helpers only: no Preact here.
 */
import type { Schemas } from "../../api/client.ts";

export type Json = Record<string, unknown>;

/** One program's replay over the period (months, totals, cash value, what it could not repeat). */
export type ProgramFigures = Schemas["SimulationFigures"];
/** One month of it; money in minor units of the store's currency. */
export type SimMonth = ProgramFigures["months"][number];
export type SimTotals = ProgramFigures["totals"];
/** A simulation as GET /v1/simulations/{id} answers: its figures once done. */
export type Simulation = Schemas["Simulation"];
export type Proposal = Schemas["AssistantProposals"]["proposals"][number];

/** What the results show: a done simulation, or the simulation a proposal carries. */
export interface SimulationFigures {
  from: string;
  to: string;
  redemptionRate?: number;
  observedRedemptionRate?: number;
  currentFrom?: "replay" | "ledger";
  reproduced?: boolean | null;
  current?: ProgramFigures;
  candidate?: ProgramFigures;
}

/** Path segments: object keys, and array indexes as numbers. */
export type Path = Array<string | number>;

export const pathText = (path: Path) => path.join(".");

export function getIn(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[k] : undefined), value);
}

/** A copy with the value at `path` replaced; arrays stay arrays, everything else is kept as it was. */
export function setIn<T>(value: T, path: Path, next: unknown): T {
  if (path.length === 0) return next as T;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    copy[head as number] = setIn(copy[head as number], rest, next);
    return copy as T;
  }
  const obj = (value !== null && typeof value === "object" ? value : {}) as Record<string, unknown>;
  return { ...obj, [head as string]: setIn(obj[head as string], rest, next) } as T;
}

/** Every number inside `value` with its path (relative to `value`), in document order. */
export function numericLeaves(value: unknown, path: Path = []): Path[] {
  if (typeof value === "number") return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => numericLeaves(v, [...path, i]));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => numericLeaves(v, [...path, k]));
  return [];
}

/** `YYYY-MM-DD` of an instant in a time zone. */
export function dayIn(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
}

/** The default period: the twelve calendar months ending with the store's today (today included). */
export function lastTwelveMonths(today: string): { from: string; to: string } {
  const [y, m] = today.split("-").map(Number) as [number, number];
  const index = y * 12 + (m - 1) - 11;
  const from = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}-01`;
  return { from, to: today };
}

/**
 * Decimals enough to tell small shares apart: 3.4 %, but 0.15 % and 0.075 % (a loyalty program's
 * cost is often well under 1 % of revenue, where one decimal would show two programs as equal).
 */
export function percentDigits(ratio: number): number {
  const pct = Math.abs(ratio) * 100;
  if (pct === 0 || !Number.isFinite(pct)) return 1;
  return Math.min(3, Math.max(1, 1 - Math.floor(Math.log10(pct))));
}

/** A ratio (0.034) as a percentage for people (3.4 %); `digits` fixes the decimals. */
export function percent(ratio: number | null | undefined, digits?: number): string {
  if (ratio === null || ratio === undefined) return "—";
  const d = digits ?? percentDigits(ratio);
  return new Intl.NumberFormat(undefined, { style: "percent", minimumFractionDigits: d, maximumFractionDigits: d }).format(ratio);
}

