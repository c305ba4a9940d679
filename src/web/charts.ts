import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

/**
 * Charts as SVG rendered on the server (ECharts SSR, ARCHITECTURE "Web"): the same chart goes into
 * a page, a printout and a PDF, needs no JavaScript in the browser, and always comes with its data
 * as a table (ChartFigure) for screen readers and a CSV download. Reports reuse this module.
 */

export interface ChartData {
  /** Short name for URLs and file names: "monthly-compliance". */
  name: string;
  title: string;
  /** The category axis: months, divisions, request types, age buckets. */
  categories: string[];
  series: { name: string; values: (number | null)[]; kind?: 'bar' | 'line' }[];
  /** A horizontal target line (e.g. the compliance target), on the value axis. */
  targetLine?: { label: string; value: number };
  /** Values are shares in [0, 1], shown as percentages. */
  percent?: boolean;
  /** What a missing value (null) means in the table. */
  missingWords?: string;
}

const palette = ['#1d5a8c', '#c4571b', '#2f7d32', '#6a3d9a', '#8c6d1f'];

// Only what these charts use: each setOption runs every registered chart type's and component's
// processors, so the full bundle costs about a fifth more per chart for the same SVG.
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, SVGRenderer]);

/** The chart as an SVG document string. */
export function renderChartSvg(chart: ChartData, size: { width: number; height: number } = { width: 720, height: 320 }): string {
  const instance = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    instance.setOption({
      animation: false,
      color: palette,
      textStyle: { fontFamily: 'system-ui, sans-serif', color: '#1b1b1b' },
      legend: { top: 0, textStyle: { color: '#1b1b1b' } },
      grid: { left: 56, right: 24, top: 40, bottom: 72 },
      xAxis: { type: 'category', data: chart.categories, axisLabel: { color: '#1b1b1b', interval: 0, rotate: chart.categories.length > 6 ? 35 : 0, width: 110, overflow: 'truncate' } },
      yAxis: {
        type: 'value',
        min: 0,
        ...(chart.percent ? { max: 1, axisLabel: { color: '#1b1b1b', formatter: (v: number) => `${Math.round(v * 100)}%` } } : { minInterval: 1, axisLabel: { color: '#1b1b1b' } }),
      },
      series: chart.series.map((s, i) => ({
        name: s.name,
        type: s.kind ?? 'bar',
        data: s.values,
        connectNulls: false,
        ...(i === 0 && chart.targetLine
          ? { markLine: { symbol: 'none', silent: true, label: { formatter: chart.targetLine.label, color: '#1b1b1b', position: 'insideEndTop' }, lineStyle: { color: '#b00020', type: 'dashed' }, data: [{ yAxis: chart.targetLine.value }] } }
          : {}),
      })),
    });
    return instance.renderToSVGString();
  } finally {
    instance.dispose();
  }
}

/** A value as the table shows it. */
export function chartCell(chart: ChartData, value: number | null): string {
  if (value === null) return chart.missingWords ?? 'no data';
  return chart.percent ? `${Math.round(value * 100)}%` : String(Math.round(value * 10) / 10);
}

/** The chart's data as CSV rows: category, then one column a series. */
export function chartRows(chart: ChartData): { header: string[]; rows: (string | number)[][] } {
  return {
    header: [chart.title, ...chart.series.map((s) => s.name)],
    rows: chart.categories.map((c, i) => [c, ...chart.series.map((s) => (s.values[i] === null ? (chart.missingWords ?? 'no data') : chart.percent ? Math.round(s.values[i]! * 1000) / 10 : s.values[i]!))]),
  };
}
