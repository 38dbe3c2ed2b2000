import { useCallback } from 'react';
import type { AdoptionReport } from '../api/analytics.types';
import { fmtDay, fmtInt } from '../format';
import { Chart, type ChartOption } from './chart';

/** Active people per UTC day (bars) with the trailing 7- and 30-day counts (lines), and the figures as a table. */
export function AdoptionChart({ report }: { report: AdoptionReport }) {
  const option = useCallback(
    (c: { muted: string; grid: string }): ChartOption => ({
      grid: { left: 48, right: 24, top: 40, bottom: 32 },
      legend: { top: 0, textStyle: { color: c.muted } },
      tooltip: { trigger: 'axis' },
      xAxis: {
        type: 'category',
        data: report.daily.map((d) => fmtDay(d.day)),
        axisLine: { lineStyle: { color: c.grid } },
        axisLabel: { color: c.muted },
      },
      yAxis: {
        type: 'value',
        name: 'people',
        minInterval: 1,
        nameTextStyle: { color: c.muted },
        axisLabel: { color: c.muted },
        splitLine: { lineStyle: { color: c.grid } },
      },
      series: [
        { name: 'Daily active', type: 'bar', barMaxWidth: 24, data: report.daily.map((d) => d.dau) },
        { name: 'Weekly active (7 days)', type: 'line', symbolSize: 4, data: report.daily.map((d) => d.wau) },
        { name: 'Monthly active (30 days)', type: 'line', symbolSize: 4, data: report.daily.map((d) => d.mau) },
      ],
    }),
    [report],
  );
  return (
    <>
      <Chart
        option={option}
        label="Active people per day as bars, with people active over the trailing 7 and 30 days as lines"
      />
      <details className="chart-data">
        <summary>Figures by day</summary>
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Active people by day</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col" className="num">
                  Daily active
                </th>
                <th scope="col" className="num">
                  Weekly active
                </th>
                <th scope="col" className="num">
                  Monthly active
                </th>
              </tr>
            </thead>
            <tbody>
              {report.daily.map((d) => (
                <tr key={d.day}>
                  <th scope="row">{fmtDay(d.day)}</th>
                  <td className="num">{fmtInt(d.dau)}</td>
                  <td className="num">{fmtInt(d.wau)}</td>
                  <td className="num">{fmtInt(d.mau)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}
