import { useCallback } from 'react';
import type { CostReport } from '../api/analytics.types';
import { fmtUsd } from '../format';
import { Chart, type ChartOption } from './chart';

const SHOWN = 12;

/** Estimated cost per group, largest first, with the previous period's cost beside it. */
export function CostChart({
  report,
  keyLabel,
  title,
}: {
  report: CostReport;
  keyLabel: (g: CostReport['groups'][number]) => string;
  title: string;
}) {
  const option = useCallback(
    (c: { muted: string; grid: string }): ChartOption => {
      const rows = report.groups.slice(0, SHOWN).reverse();
      return {
        grid: { left: 16, right: 48, top: 32, bottom: 24, containLabel: true },
        legend: { top: 0, textStyle: { color: c.muted } },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => fmtUsd(v) },
        xAxis: {
          type: 'value',
          axisLabel: { color: c.muted, formatter: (v: number) => fmtUsd(v) },
          splitLine: { lineStyle: { color: c.grid } },
        },
        yAxis: {
          type: 'category',
          data: rows.map(keyLabel),
          axisLabel: { color: c.muted, width: 200, overflow: 'truncate' },
          axisLine: { lineStyle: { color: c.grid } },
        },
        series: [
          {
            name: 'This period',
            type: 'bar',
            barMaxWidth: 18,
            data: rows.map((r) => r.cost_usd_estimate),
          },
          {
            name: 'Previous period',
            type: 'bar',
            barMaxWidth: 18,
            data: rows.map((r) => r.previous_cost_usd_estimate),
          },
        ],
      };
    },
    [report, keyLabel],
  );
  const shown = Math.min(report.groups.length, SHOWN);
  return (
    <Chart
      option={option}
      label={`Estimated cost by ${title.toLowerCase()}, largest first, against the previous period`}
      height={Math.max(160, 64 + shown * 44)}
    />
  );
}
