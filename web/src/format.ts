/** Number, money and time formats used on every page (one place, so the same figure reads the same everywhere). */
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : integer.format(n);
}

export function fmtCompact(n: number): string {
  return n < 10_000 ? integer.format(n) : compact.format(n);
}

/** Estimated USD: cents for amounts of a dollar or more; four decimals below (single requests cost fractions of a cent). */
export function fmtUsd(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const digits = Math.abs(n) >= 1 || n === 0 ? 2 : 4;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(n);
}

export function fmtPct(part: number, whole: number): string {
  if (whole <= 0) return '—';
  return `${((part / whole) * 100).toFixed(part === whole ? 0 : 1)}%`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

const shortDateTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const shortDateTimeWithYear = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** For table cells: minutes are enough, and the year only when it is not this year. */
export function fmtShortDateTime(iso: string): string {
  const d = new Date(iso);
  return (d.getFullYear() === new Date().getFullYear() ? shortDateTime : shortDateTimeWithYear).format(d);
}

export function fmtDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

/** A UTC calendar day (`2026-11-21`, as the API groups days) in the reader's format. */
export function fmtDay(day: string): string {
  return dateOnly.format(new Date(`${day}T00:00:00Z`));
}

export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return m < 60 ? `${m} min ${s} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function fmtRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const diff = now - Date.parse(iso);
  if (diff < 60_000) return 'just now';
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, name] of units) {
    if (diff >= size) {
      const n = Math.floor(diff / size);
      return `${n} ${name}${n === 1 ? '' : 's'} ago`;
    }
  }
  return 'just now';
}

export function personLabel(p: { display_name: string | null; email: string | null; id: string }): string {
  return p.display_name ?? p.email ?? p.id.slice(0, 8);
}

/** A ratio the API gives as 0…1 (shares, error rates, cache hit ratio) as a percentage. */
export function fmtRatio(r: number | null | undefined): string {
  if (r === null || r === undefined) return '—';
  const pct = r * 100;
  return `${pct === 0 || pct === 100 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

/** A signed change in USD (estimates): "+$1.20", "−$0.0040", "$0.00". */
export function fmtUsdChange(n: number): string {
  if (n === 0) return fmtUsd(0);
  return `${n > 0 ? '+' : '−'}${fmtUsd(Math.abs(n))}`;
}
