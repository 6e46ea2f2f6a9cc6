/**
 * Lines per series over the months, drawn as SVG that scales with its box (the dashboard's bar
 * chart, as lines: two programs over the same months read better as two lines than as pairs of
 * bars). Values may be fractions (cost share) or missing (null: no point drawn, the line breaks).
 * The figures are also in the month table below; the chart carries a summary for screen readers.
 */
export interface LineSeries {
  name: string;
  className: string;
  values: Array<number | null>;
}

// Narrower than the dashboard's chart: two sit side by side, and their text stays readable.
const W = 520;
const H = 280;
const PAD = { top: 16, right: 28, bottom: 36, left: 72 };

/** Ticks at a round step (1, 2 or 5 × 10ⁿ, about four of them), from the lowest to the highest value. */
function axis(min: number, max: number): { low: number; high: number; step: number; ticks: number[] } {
  const lowest = Math.min(0, min);
  const span = max - lowest;
  if (span <= 0) return { low: lowest, high: lowest + 1, step: 1, ticks: [lowest, lowest + 1] };
  const raw = span / 4;
  const unit = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * unit).find((s) => s >= raw) ?? 10 * unit;
  const low = Math.floor(lowest / step) * step;
  const high = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  // Rounded to the step's own precision, so 0.1 + 0.2 is drawn as 0.3.
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let i = 0; low + i * step <= high + step / 1e6; i++) ticks.push(Number((low + i * step).toFixed(digits)));
  return { low, high, step, ticks };
}

/** `tickFormat` gets the axis step too, so a label has the decimals its step needs (0.05 %, not 0.1 % twice). */
export function LineChart(props: { categories: string[]; series: LineSeries[]; label: string; format(n: number): string; tickFormat?(n: number, step: number): string }) {
  const values = props.series.flatMap((s) => s.values).filter((v): v is number => v !== null);
  const { low, high, step, ticks } = axis(values.length ? Math.min(...values) : 0, values.length ? Math.max(...values) : 0);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const n = props.categories.length;
  const x = (i: number) => PAD.left + (n <= 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const y = (v: number) => PAD.top + plotH - ((v - low) / (high - low)) * plotH;
  // Every month named up to 6 of them; beyond, every second or third one, counted back from the last (always named), so labels never overlap.
  const every = Math.ceil(n / 6);
  const tick = props.tickFormat ?? ((n: number) => props.format(n));
  return (
    <figure class="chart sim-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.label} preserveAspectRatio="xMidYMid meet">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} class="grid" />
            <text x={PAD.left - 8} y={y(t) + 4} text-anchor="end" class="tick">{tick(t, step)}</text>
          </g>
        ))}
        {props.categories.map((c, i) => ((n - 1 - i) % every === 0 ? (
          <text key={c} x={x(i)} y={H - PAD.bottom + 18} text-anchor="middle" class="tick">{c}</text>
        ) : null))}
        {props.series.map((s) => {
          // One path per unbroken run of values.
          const runs: string[] = [];
          let run = "";
          s.values.forEach((v, i) => {
            if (v === null) {
              if (run) runs.push(run);
              run = "";
              return;
            }
            run += `${run ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
          });
          if (run) runs.push(run);
          return (
            <g key={s.name} class={`line ${s.className}`}>
              {runs.map((d) => <path key={d} d={d} fill="none" />)}
              {s.values.map((v, i) => (v === null ? null : (
                <circle key={i} cx={x(i)} cy={y(v)} r={4}><title>{`${s.name} ${props.categories[i]}: ${props.format(v)}`}</title></circle>
              )))}
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        {props.series.map((s) => <span key={s.name}><i class={`swatch ${s.className}`} aria-hidden="true" />{s.name}</span>)}
      </figcaption>
    </figure>
  );
}
