import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { useTheme } from '../theme';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/** Reads the palette from the CSS custom properties, so charts follow the same light and dark themes as the page. */
export function chartColors(): { text: string; muted: string; grid: string; series: string[] } {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string): string => css.getPropertyValue(name).trim();
  return {
    text: v('--text'),
    muted: v('--text-muted'),
    grid: v('--border'),
    series: [v('--series-1'), v('--series-2'), v('--series-3'), v('--series-4'), v('--series-5')],
  };
}

/**
 * An ECharts canvas. `label` describes the chart for screen readers (ECharts' aria module adds a generated
 * description of the data too); every chart on the console also has its figures in a table next to it.
 */
export function Chart({
  option,
  label,
  height = 280,
}: {
  option: (c: ReturnType<typeof chartColors>) => ChartOption;
  label: string;
  height?: number;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const theme = useTheme();
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const instance = echarts.init(el, null, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chartColors();
    chart.current?.setOption(
      {
        aria: { enabled: true, label: { description: label } },
        color: c.series,
        textStyle: { color: c.text, fontFamily: 'inherit' },
        animationDuration: 300,
        ...option(c),
      },
      { notMerge: true },
    );
  }, [option, label, theme]);

  return <div ref={ref} className="chart" style={{ height }} role="img" aria-label={label} />;
}
