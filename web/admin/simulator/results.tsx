import type { ComponentChildren } from "preact";
import { money, points } from "../format.ts";
import { Card } from "../ui/page.tsx";
import { LineChart } from "./line-chart.tsx";
import { percent, percentDigits, type ProgramFigures, type SimMonth, type SimTotals, type SimulationFigures } from "./model.ts";

type Kind = "points" | "money" | "ratio";
type Metric = keyof SimTotals;

/** The totals compared, in the order people read them; `cost` marks the figures where lower is cheaper. */
const TOTALS: Array<{ key: Metric; label: string; kind: Kind; cost?: boolean }> = [
  { key: "issued", label: "Points issued", kind: "points" },
  { key: "redeemed", label: "Points redeemed", kind: "points" },
  { key: "expired", label: "Points expired", kind: "points" },
  { key: "outstanding", label: "Points outstanding at the end", kind: "points" },
  { key: "liability", label: "Liability at the end", kind: "money", cost: true },
  { key: "revenue", label: "Revenue", kind: "money" },
  { key: "cost", label: "Expected cost of the points issued", kind: "money", cost: true },
  { key: "costShare", label: "Cost share (cost ÷ revenue)", kind: "ratio", cost: true },
];

/** The month table's figures, each for both programs (revenue is the orders', the same for both). */
const MONTHLY: Array<{ key: Metric; label: string; kind: Kind }> = [
  { key: "issued", label: "Issued", kind: "points" },
  { key: "outstanding", label: "Outstanding", kind: "points" },
  { key: "liability", label: "Liability", kind: "money" },
  { key: "costShare", label: "Cost share", kind: "ratio" },
];

export function formatter(currency: string) {
  return (kind: Kind, v: number | null | undefined): string => {
    if (v === null || v === undefined) return "—";
    return kind === "points" ? points(v) : kind === "money" ? money(v, currency) : percent(v);
  };
}

/** candidate − current, signed ("+1,200", "−$3.50", "−0.8 pts"); empty when either is unknown. */
export function difference(kind: Kind, current: number | null, candidate: number | null, currency: string): string {
  if (current === null || candidate === null) return "—";
  const d = candidate - current;
  if (kind === "ratio") {
    // In percentage points, with the decimals the smaller of the two shares is shown with.
    const digits = percentDigits(Math.min(Math.abs(current), Math.abs(candidate)) || Math.abs(d));
    const pts = Number((d * 100).toFixed(digits));
    return pts === 0 ? "0 pts" : `${pts > 0 ? "+" : "−"}${Math.abs(pts).toFixed(digits)} pts`;
  }
  if (d === 0) return kind === "money" ? money(0, currency) : "0";
  const abs = kind === "points" ? points(Math.abs(d)) : money(Math.abs(d), currency);
  return `${d > 0 ? "+" : "−"}${abs}`;
}

function Note(props: { kind: "ok" | "info" | "warn"; children: ComponentChildren }) {
  return <div class={`banner ${props.kind}`} role="status">{props.children}</div>;
}

function skippedText(s: ProgramFigures["skipped"]): string | null {
  const parts = [
    s.redemptions ? `${points(s.redemptions)} redemptions the member could no longer afford` : "",
    s.deductions ? `${points(s.deductions)} deductions larger than the balance` : "",
    s.events ? `${points(s.events)} events` : "",
    s.orders ? `${points(s.orders)} orders` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : null;
}

/**
 * A done simulation: both programs' totals with the difference, their months as charts, and the
 * month table (the charts' figures, for reading and for screen readers).
 */
export function Results(props: { sim: SimulationFigures & { from: string; to: string }; currency: string }) {
  const { current, candidate } = props.sim;
  if (!current || !candidate) return null;
  const f = formatter(props.currency);
  const months = current.months.map((m) => m.month);
  const byMonth = (figures: ProgramFigures) => new Map(figures.months.map((m) => [m.month, m] as const));
  const cand = byMonth(candidate);
  const valued = current.totals.liability !== null || candidate.totals.liability !== null;
  const seriesOf = (pick: (m: SimMonth) => number | null) => [
    { name: "Current program", className: "s-current", values: current.months.map(pick) },
    { name: "Candidate", className: "s-candidate", values: months.map((m) => { const c = cand.get(m); return c ? pick(c) : null; }) },
  ];
  const cash = (v: ProgramFigures["cashValue"]) => (v ? `${points(v.points)} points = ${money(v.amount, props.currency)}` : "no cash value");
  const skippedCurrent = skippedText(current.skipped);
  const skippedCandidate = skippedText(candidate.skipped);

  return (
    <>
      <Card title="Results" class="sim-results">
        <p data-sim-period>
          From {props.sim.from} to {props.sim.to}. Redemption rate used: <strong>{percent(props.sim.redemptionRate)}</strong>
          {props.sim.observedRedemptionRate !== undefined ? ` (your members' own: ${percent(props.sim.observedRedemptionRate)})` : ""}.
          {" "}{cash(current.cashValue) === cash(candidate.cashValue) ? `Points valued at ${cash(current.cashValue)} in both programs.` : `Points valued at ${cash(current.cashValue)} now, ${cash(candidate.cashValue)} in the candidate.`}
        </p>
        {props.sim.currentFrom === "ledger" ? (
          <Note kind="ok"><span data-current-from="ledger">The current program's figures are your ledger's own</span>: replaying your program over your history would give the same figures (the simulator's own tests check that it does).</Note>
        ) : props.sim.reproduced === true ? (
          <Note kind="ok"><span data-reproduced="true">Replaying your current program reproduced your ledger exactly</span>: the figures below come from your real history.</Note>
        ) : props.sim.reproduced === false ? (
          <Note kind="warn"><span data-reproduced="false">Replaying your current program did not reproduce your ledger exactly</span> (points adjusted by hand, imported balances or program changes during the period can do that): compare the two programs with each other rather than with your ledger.</Note>
        ) : (
          <Note kind="info">With the redemption rate you set, members' spending is scaled, so the replay is not compared with your ledger.</Note>
        )}
        {valued && props.sim.redemptionRate === 0 && props.sim.observedRedemptionRate === 0 ? (
          <Note kind="warn"><span data-unvalued>Your members had not redeemed any points by the end of this period</span>, so the expected redemption rate is 0% and the liability and cost below are nothing. Set a redemption rate (for example what stores like yours see) to value the points they hold.</Note>
        ) : null}
        {skippedCurrent || skippedCandidate ? (
          <Note kind="info">
            Recorded activity the replay could not repeat —{" "}
            {skippedCurrent ? <span data-skipped="current">current program: {skippedCurrent}</span> : null}
            {skippedCurrent && skippedCandidate ? "; " : null}
            {skippedCandidate ? <span data-skipped="candidate">candidate: {skippedCandidate}</span> : null}.
          </Note>
        ) : null}
        <div class="table-wrap">
          <table aria-label="Totals" class="sim-totals">
            <thead><tr><th scope="col">Over the period</th><th scope="col" class="num">Current program</th><th scope="col" class="num">Candidate</th><th scope="col" class="num">Difference</th></tr></thead>
            <tbody>
              {TOTALS.map((t) => {
                const a = current.totals[t.key];
                const b = candidate.totals[t.key];
                const lower = a !== null && b !== null && b < a;
                const higher = a !== null && b !== null && b > a;
                return (
                  <tr key={t.key} data-metric={t.key}>
                    <th scope="row">{t.label}</th>
                    <td class="num" data-program="current" data-value={a ?? ""}>{f(t.kind, a)}</td>
                    <td class="num" data-program="candidate" data-value={b ?? ""}>{f(t.kind, b)}</td>
                    <td class={`num${t.cost && lower ? " diff-down" : t.cost && higher ? " diff-up" : ""}`} data-program="difference">{difference(t.kind, a, b, props.currency)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Card>
      <Card title="Month by month">
        <div class="sim-charts">
          <div>
            <h3>{valued ? "Liability at each month's end" : "Points outstanding at each month's end"}</h3>
            <LineChart categories={months} label={`${valued ? "Liability" : "Points outstanding"} at each month's end, current program against the candidate`}
              series={seriesOf((m) => (valued ? m.liability : m.outstanding))} format={(v) => f(valued ? "money" : "points", v)} />
          </div>
          <div>
            <h3>Cost share per month</h3>
            <LineChart categories={months} label="Cost of the points issued as a share of revenue, per month, current program against the candidate"
              series={seriesOf((m) => m.costShare)} format={(v) => percent(v)} tickFormat={(v, step) => percent(v, Math.max(0, percentDigits(step) - 1))} />
          </div>
        </div>
        <div class="table-wrap">
          <table aria-label="Month by month" class="sim-months">
            <thead>
              <tr>
                <th rowSpan={2} scope="col">Month</th>
                <th rowSpan={2} scope="col" class="num">Revenue</th>
                {MONTHLY.map((c) => <th key={c.key} scope="colgroup" colSpan={2} class="group-start">{c.label}</th>)}
              </tr>
              <tr>
                {MONTHLY.map((c) => [
                  <th key={`${c.key}-current`} scope="col" class="num group-start">Current<span class="visually-hidden"> program, {c.label.toLowerCase()}</span></th>,
                  <th key={`${c.key}-candidate`} scope="col" class="num">Candidate<span class="visually-hidden">, {c.label.toLowerCase()}</span></th>,
                ])}
              </tr>
            </thead>
            <tbody>
              {current.months.map((m) => {
                const c = cand.get(m.month);
                return (
                  <tr key={m.month} data-month={m.month}>
                    <th scope="row">{m.month}</th>
                    <td class="num" data-metric="revenue" data-value={m.revenue}>{f("money", m.revenue)}</td>
                    {MONTHLY.map((col) => [
                      <td key={`${col.key}-current`} class="num group-start" data-metric={col.key} data-program="current" data-value={m[col.key] ?? ""}>{f(col.kind, m[col.key])}</td>,
                      <td key={`${col.key}-candidate`} class="num" data-metric={col.key} data-program="candidate" data-value={c?.[col.key] ?? ""}>{f(col.kind, c?.[col.key])}</td>,
                    ])}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Card>
    </>
  );
}
