import { Link } from '../router';
import { WINDOW_CHOICES, type WindowDays } from '../usage-window';

/** 7 / 30 / 90 days, as links (the choice is in the URL, so a view can be shared and reloaded). */
export function WindowPicker({ path, days, query }: { path: string; days: WindowDays; query: URLSearchParams }) {
  return (
    <nav className="segmented" aria-label="Period">
      {WINDOW_CHOICES.map((d) => {
        const q = new URLSearchParams(query);
        q.set('days', String(d));
        return (
          <Link key={d} href={`${path}?${q.toString()}`} aria-current={d === days ? 'true' : undefined}>
            {d} days
          </Link>
        );
      })}
    </nav>
  );
}
