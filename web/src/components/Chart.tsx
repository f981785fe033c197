import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { useThemeName } from '../lib/theme';

export interface ChartSeries {
  label: string;
  /** A CSS colour. */
  color: string;
  values: (number | null)[];
}

interface Props {
  /** Seconds since the epoch, one per point. */
  times: number[];
  series: ChartSeries[];
  title: string;
  height?: number;
  /** How a y value reads in the legend and axis (e.g. "12 ms", "3.4/s"). */
  format?: (v: number) => string;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/**
 * A uPlot line chart that fills its container's width. The plot is made once per set of
 * series and fed new data in place, so a refresh every few seconds costs a redraw, not a
 * rebuild.
 */
export function Chart({ times, series, title, height = 200, format = (v) => String(Math.round(v * 100) / 100) }: Props) {
  const el = useRef<HTMLDivElement>(null);
  // Axis and grid colours come from the theme's CSS variables: a new theme redraws the plot.
  const theme = useThemeName();
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => `${s.label}:${s.color}`).join('|');
  const data: uPlot.AlignedData = [times, ...series.map((s) => s.values)];
  const latest = useRef(data);
  latest.current = data;

  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when the series (not their values) change
  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const axisColor = cssVar('--muted');
    const grid = { stroke: cssVar('--border'), width: 1 };
    const opts: uPlot.Options = {
      width: Math.max(200, node.clientWidth),
      height,
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,

          value: (_u: uPlot, v: number | null) => (v === null ? '–' : format(v)),
        })),
      ],
      axes: [
        { stroke: axisColor, grid },
        { stroke: axisColor, grid, size: 60, values: (_u, vals) => vals.map((v) => format(v)) },
      ],
      scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      legend: { live: false },
    };
    const p = new uPlot(opts, latest.current, node);
    plot.current = p;
    const ro = new ResizeObserver(() => p.setSize({ width: Math.max(200, node.clientWidth), height }));
    ro.observe(node);
    return () => {
      ro.disconnect();
      p.destroy();
      plot.current = null;
    };
  }, [shape, height, theme]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return (
    <figure className="chart" aria-label={title} style={{ margin: 0 }}>
      <figcaption className="muted">{title}</figcaption>
      <div ref={el} />
    </figure>
  );
}
