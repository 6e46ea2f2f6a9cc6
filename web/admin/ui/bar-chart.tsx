/** One series of a chart: a name, a CSS colour class, and a value per category. */
export interface Series {
  name: string;
  className: string;
  values: number[];
}

const W = 720;
const H = 260;
const PAD = { top: 16, right: 16, bottom: 36, left: 64 };

/**
 * The axis: ticks at a round whole step (1, 2 or 5 × 10ⁿ, about four of them) up to the first one
 * at or above the largest value. Whole steps because points are whole: no label reads 7.5.
 */
function axis(max: number): { top: number; ticks: number[] } {
  if (max <= 0) return { top: 1, ticks: [0, 1] };
  const raw = max / 4;
  const unit = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * unit).find((s) => s >= raw) ?? 10 * unit);
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  return { top, ticks };
}

/**
 * Grouped bars per category (months), drawn as SVG that scales with its box. The numbers are also
 * in the table beside it; the chart carries a summary for screen readers.
 */
export function BarChart(props: { categories: string[]; series: Series[]; label: string; format(n: number): string }) {
  const { top: max, ticks } = axis(Math.max(0, ...props.series.flatMap((s) => s.values)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const group = plotW / Math.max(1, props.categories.length);
  const bar = Math.max(2, (group * 0.8) / props.series.length);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.label} preserveAspectRatio="xMidYMid meet">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} class="grid" />
            <text x={PAD.left - 8} y={y(t) + 4} text-anchor="end" class="tick">{props.format(t)}</text>
          </g>
        ))}
        {props.categories.map((c, i) => (
          <g key={c}>
            {props.series.map((s, j) => {
              const v = s.values[i] ?? 0;
              const x = PAD.left + i * group + group * 0.1 + j * bar;
              return <rect key={s.name} x={x} y={y(v)} width={bar - 1} height={Math.max(0, PAD.top + plotH - y(v))} class={s.className}><title>{`${s.name} ${c}: ${props.format(v)}`}</title></rect>;
            })}
            <text x={PAD.left + i * group + group / 2} y={H - PAD.bottom + 18} text-anchor="middle" class="tick">{c}</text>
          </g>
        ))}
      </svg>
      <figcaption class="legend">
        {props.series.map((s) => <span key={s.name}><i class={`swatch ${s.className}`} aria-hidden="true" />{s.name}</span>)}
      </figcaption>
    </figure>
  );
}
