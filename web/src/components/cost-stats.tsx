import type { CostReport } from '../api/analytics.types';
import { fmtInt, fmtRatio, fmtUsd, fmtUsdChange } from '../format';
import { Stat } from './page';

const monthName = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * The cost headline shared by Overview and Cost: spend in the period against the one before, month to date, the
 * month-end forecast and the cache hit ratio. Every figure is a telemetry estimate and is labelled as one.
 */
export function CostStats({
  report,
  days,
  requests = false,
}: {
  report: CostReport;
  days: number;
  requests?: boolean;
}) {
  const m = report.month_to_date;
  const change = report.totals.cost_usd_estimate - report.previous_window.cost_usd_estimate;
  return (
    <div className="stats" aria-label="Estimated cost">
      <Stat
        label="Estimated cost"
        value={fmtUsd(report.totals.cost_usd_estimate)}
        detail={`${fmtUsdChange(change)} against the previous ${days} days`}
      />
      <Stat
        label="Month to date (estimate)"
        value={fmtUsd(m.cost_usd_estimate)}
        detail={`${monthName.format(new Date(`${m.month}-01T00:00:00Z`))}, ${m.days_elapsed} of ${m.days_in_month} days`}
      />
      <Stat
        label="Month-end forecast (estimate)"
        value={fmtUsd(m.forecast_month_end_usd_estimate)}
        detail="month to date ÷ days elapsed × days in month"
      />
      <Stat
        label="Cache hit ratio"
        value={fmtRatio(report.totals.cache_hit_ratio)}
        detail="cache reads ÷ all input-side tokens"
      />
      {requests ? (
        <Stat
          label="API requests"
          value={fmtInt(report.totals.requests)}
          detail={`${fmtInt(report.totals.tokens.input)} in · ${fmtInt(report.totals.tokens.output)} out`}
        />
      ) : null}
    </div>
  );
}
