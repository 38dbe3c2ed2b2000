import type { ReactNode } from 'react';
import type { Status } from '../api/types';
import { fmtDay } from '../format';
import type { Loadable } from '../use-api';
import type { Period } from '../use-period';
import { ConnectClaudeCode } from './empty-state';
import { ErrorPanel, Loading } from './page';

/**
 * The frame every dashboard shares: while the status loads, a loading line; when Steward holds no telemetry at
 * all, the instructions to connect a source (rather than a page of zeros); otherwise the page.
 */
export function StatusGate({ status, children }: { status: Loadable<Status>; children: ReactNode }) {
  if (status.state === 'loading') return <Loading what="status" />;
  if (status.state === 'error') return <ErrorPanel error={status.error} />;
  if (status.data.events === 0) return <ConnectClaudeCode />;
  return <>{children}</>;
}

/** One API answer: loading, an error, or `children(data)`. */
export function Loaded<T>({
  res,
  what,
  children,
}: {
  res: Loadable<T>;
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (res.state === 'loading') return <Loading what={what} />;
  if (res.state === 'error') return <ErrorPanel error={res.error} onRetry={undefined} />;
  return <>{children(res.data)}</>;
}

/** "the 30 days to 21 Nov 2026 (the latest telemetry received)" — the period a page summarises, said plainly. */
export function PeriodText({ period }: { period: Period }) {
  const lastDay = new Date(Date.parse(period.to) - 1).toISOString().slice(0, 10);
  return (
    <>
      the {period.days} days to {fmtDay(lastDay)}
      {period.endsAtLatest ? ' (the latest telemetry received)' : ''}
    </>
  );
}
