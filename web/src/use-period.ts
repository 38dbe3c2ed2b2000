import type { Status } from './api/types';
import { useApi, type Loadable } from './use-api';
import { usageWindow, type WindowDays } from './usage-window';

export interface Period {
  days: WindowDays;
  from: string;
  to: string;
  endsAtLatest: boolean;
}

/**
 * The status (does Steward hold any telemetry yet?) and the period a dashboard covers: the last `days` whole UTC
 * days up to the latest telemetry (see usage-window.ts). `query(path, params)` builds an analytics URL for the
 * period, or null while the period is not known yet (useApi waits on null).
 */
export function usePeriod(days: WindowDays): {
  status: Loadable<Status>;
  period: Period | null;
  query: (path: string, params?: Record<string, string | null | undefined>) => string | null;
} {
  const status = useApi<Status>('/api/v1/status');
  const period =
    status.state === 'ready' && status.data.events > 0 ? { days, ...usageWindow(status.data, days) } : null;
  const query = (path: string, params: Record<string, string | null | undefined> = {}): string | null => {
    if (!period) return null;
    const q = new URLSearchParams({ from: period.from, to: period.to });
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    return `${path}?${q.toString()}`;
  };
  return { status, period, query };
}
