import type { ComponentChildren } from "preact";

/**
 * What the back office's charts draw around their values: an SVG box that scales with its
 * container, a value axis with round ticks (grid lines and labels), the category labels under the
 * plot and a legend. The dashboard's bars and the simulator's lines differ only in the values.
 */

/** The SVG's own size, and the room around the plot for the labels. */
export interface Frame {
  width: number;
  height: number;
  pad: { top: number; right: number; bottom: number; left: number };
}

export const plotWidth = (f: Frame) => f.width - f.pad.left - f.pad.right;
export const plotHeight = (f: Frame) => f.height - f.pad.top - f.pad.bottom;

export interface ValueAxis {
  low: number;
  high: number;
  step: number;
  ticks: number[];
}

/**
 * Ticks at a round step (1, 2 or 5 × 10ⁿ, about four of them), from 0 or the lowest value below
 * it up to the first tick at or above the highest. `minStep` 1 keeps the ticks whole, for counts:
 * points are whole, so no label should read 7.5.
 */
export function valueAxis(min: number, max: number, minStep = 0): ValueAxis {
  const lowest = Math.min(0, min);
  const span = max - lowest;
  if (span <= 0) return { low: lowest, high: lowest + 1, step: 1, ticks: [lowest, lowest + 1] };
  const raw = span / 4;
  const unit = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(minStep, [1, 2, 5, 10].map((m) => m * unit).find((s) => s >= raw) ?? 10 * unit);
  const low = Math.floor(lowest / step) * step;
  const high = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  // Rounded to the step's own precision, so 0.1 + 0.2 is drawn as 0.3.
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let i = 0; low + i * step <= high + step / 1e6; i++) ticks.push(Number((low + i * step).toFixed(digits)));
  return { low, high, step, ticks };
}

/** Where a value sits vertically: the axis's low at the bottom of the plot, its high at the top. */
export function yScale(frame: Frame, axis: ValueAxis): (v: number) => number {
  const h = plotHeight(frame);
  return (v) => frame.pad.top + h - ((v - axis.low) / (axis.high - axis.low)) * h;
}

/** The tooltip of one value: which series, which category, how much. */
export const valueTitle = (series: string, category: string | undefined, value: string) => `${series} ${category}: ${value}`;

/** A grid line across the plot per tick, and the tick's label left of it. */
export function ValueTicks(props: { frame: Frame; axis: ValueAxis; y(v: number): number; label(tick: number): string }) {
  const { frame, y } = props;
  return (
    <>
      {props.axis.ticks.map((t) => (
        <g key={t}>
          <line x1={frame.pad.left} x2={frame.width - frame.pad.right} y1={y(t)} y2={y(t)} class="grid" />
          <text x={frame.pad.left - 8} y={y(t) + 4} text-anchor="end" class="tick">{props.label(t)}</text>
        </g>
      ))}
    </>
  );
}

/** A category's name under the plot, centred on `x`. */
export function CategoryLabel(props: { frame: Frame; x: number; text: string }) {
  return <text x={props.x} y={props.frame.height - props.frame.pad.bottom + 18} text-anchor="middle" class="tick">{props.text}</text>;
}

/**
 * The figure: the SVG (an image with a name: the figures are also in a table beside it, so the
 * chart carries a summary for screen readers) and a legend of the series' colours under it.
 */
export function ChartFigure(props: { frame: Frame; class: string; label: string; series: Array<{ name: string; className: string }>; children: ComponentChildren }) {
  return (
    <figure class={props.class}>
      <svg viewBox={`0 0 ${props.frame.width} ${props.frame.height}`} role="img" aria-label={props.label} preserveAspectRatio="xMidYMid meet">
        {props.children}
      </svg>
      <figcaption class="legend">
        {props.series.map((s) => <span key={s.name}><i class={`swatch ${s.className}`} aria-hidden="true" />{s.name}</span>)}
      </figcaption>
    </figure>
  );
}
