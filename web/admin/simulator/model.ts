/**
 * The simulator's data: a program document (what GET /v1/program/export returns and
 * PUT /v1/program/import takes), a simulation's figures for two programs side by side, and the
 * assistant's proposals. Plain JSON helpers only: no Preact here.
 */
export type Json = Record<string, unknown>;

/** One month of one program's replay; money in minor units of the store's currency. */
export interface SimMonth {
  month: string;
  issued: number;
  redeemed: number;
  expired: number;
  reversed: number;
  outstanding: number;
  liability: number | null;
  revenue: number;
  cost: number | null;
  costShare: number | null;
  tiers: Record<string, number>;
}

export type SimTotals = Omit<SimMonth, "month" | "tiers">;

export interface ProgramFigures {
  months: SimMonth[];
  totals: SimTotals;
  cashValue: { points: number; amount: number } | null;
  skipped: { redemptions: number; deductions: number; events: number; orders: number };
}

/** A done simulation's figures (also what each assistant proposal carries). */
export interface SimulationFigures {
  from?: string;
  to?: string;
  redemptionRate?: number;
  observedRedemptionRate?: number;
  reproduced?: boolean | null;
  current?: ProgramFigures;
  candidate?: ProgramFigures;
}

export interface Simulation extends SimulationFigures {
  id: string;
  status: "running" | "done" | "failed";
  from: string;
  to: string;
  createdAt: string;
  finishedAt: string | null;
  error?: string;
}

export interface Proposal {
  id: string;
  summary: string;
  explanation: string;
  document: Json;
  simulation: SimulationFigures;
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

/** The figures of a proposal or a simulation, however the API nests them (`report` or flat). */
export function figuresOf<T extends SimulationFigures>(value: T & { report?: SimulationFigures }): T {
  return value.report ? ({ ...value, ...value.report } as T) : value;
}
