import { CategoryLabel, ChartFigure, plotHeight, plotWidth, valueAxis, ValueTicks, valueTitle, yScale, type Frame } from "./chart-axes.tsx";

/** One series of a chart: a name, a CSS colour class, and a value per category. */
export interface Series {
  name: string;
  className: string;
  values: number[];
}

const FRAME: Frame = { width: 720, height: 260, pad: { top: 16, right: 16, bottom: 36, left: 64 } };

/**
 * Grouped bars per category (months). The numbers are also in the table beside it.
 */
export function BarChart(props: { categories: string[]; series: Series[]; label: string; format(n: number): string }) {
  // From 0, in whole steps: the bars are counts of points, which are whole.
  const axis = valueAxis(0, Math.max(0, ...props.series.flatMap((s) => s.values)), 1);
  const group = plotWidth(FRAME) / Math.max(1, props.categories.length);
  const bar = Math.max(2, (group * 0.8) / props.series.length);
  const y = yScale(FRAME, axis);
  const bottom = FRAME.pad.top + plotHeight(FRAME);
  return (
    <ChartFigure frame={FRAME} class="chart" label={props.label} series={props.series}>
      <ValueTicks frame={FRAME} axis={axis} y={y} label={props.format} />
      {props.categories.map((c, i) => (
        <g key={c}>
          {props.series.map((s, j) => {
            const v = s.values[i] ?? 0;
            const x = FRAME.pad.left + i * group + group * 0.1 + j * bar;
            return <rect key={s.name} x={x} y={y(v)} width={bar - 1} height={Math.max(0, bottom - y(v))} class={s.className}><title>{valueTitle(s.name, c, props.format(v))}</title></rect>;
          })}
          <CategoryLabel frame={FRAME} x={FRAME.pad.left + i * group + group / 2} text={c} />
        </g>
      ))}
    </ChartFigure>
  );
}
