import { CategoryLabel, ChartFigure, plotWidth, valueAxis, ValueTicks, valueTitle, yScale, type Frame } from "../ui/chart-axes.tsx";

/**
 * Lines per series over the months (the dashboard's bar chart, as lines: two programs over the
 * same months read better as two lines than as pairs of bars). Values may be fractions (cost
 * share) or missing (null: no point drawn, the line breaks). The figures are also in the month
 * table below.
 */
export interface LineSeries {
  name: string;
  className: string;
  values: Array<number | null>;
}

// Narrower than the dashboard's chart: two sit side by side, and their text stays readable.
const FRAME: Frame = { width: 520, height: 280, pad: { top: 16, right: 28, bottom: 36, left: 72 } };

/** `tickFormat` gets the axis step too, so a label has the decimals its step needs (0.05 %, not 0.1 % twice). */
export function LineChart(props: { categories: string[]; series: LineSeries[]; label: string; format(n: number): string; tickFormat?(n: number, step: number): string }) {
  const values = props.series.flatMap((s) => s.values).filter((v): v is number => v !== null);
  // Fractions and negative values are drawn as they are: no whole steps, and the axis goes below 0 when a value does.
  const axis = valueAxis(values.length ? Math.min(...values) : 0, values.length ? Math.max(...values) : 0);
  const plotW = plotWidth(FRAME);
  const n = props.categories.length;
  const x = (i: number) => FRAME.pad.left + (n <= 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const y = yScale(FRAME, axis);
  // Every month named up to 6 of them; beyond, every second or third one, counted back from the last (always named), so labels never overlap.
  const every = Math.ceil(n / 6);
  const tick = props.tickFormat ?? ((n: number) => props.format(n));
  return (
    <ChartFigure frame={FRAME} class="chart sim-chart" label={props.label} series={props.series}>
      <ValueTicks frame={FRAME} axis={axis} y={y} label={(t) => tick(t, axis.step)} />
      {props.categories.map((c, i) => ((n - 1 - i) % every === 0 ? <CategoryLabel key={c} frame={FRAME} x={x(i)} text={c} /> : null))}
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
              <circle key={i} cx={x(i)} cy={y(v)} r={4}><title>{valueTitle(s.name, props.categories[i], props.format(v))}</title></circle>
            )))}
          </g>
        );
      })}
    </ChartFigure>
  );
}
