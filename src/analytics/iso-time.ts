/**
 * `new Date(t).toISOString()` for the thousands of timestamps a graph or discovery answer carries, about five times
 * faster: the date part is cached per UTC day, the time of day is formatted from integers. Anything that is not an
 * integer epoch ms in years 1970–9999 goes through Date (same output, same errors).
 */
const dayText = new Map<number, string>();
const DAY = 86_400_000;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

export function isoTime(t: number): string {
  if (!Number.isInteger(t) || t < 0 || t >= 253_402_300_800_000) return new Date(t).toISOString();
  const day = Math.floor(t / DAY);
  let date = dayText.get(day);
  if (date === undefined) {
    if (dayText.size >= 4096) dayText.clear();
    date = new Date(day * DAY).toISOString().slice(0, 11);
    dayText.set(day, date);
  }
  let ms = t - day * DAY;
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000);
  ms -= m * 60_000;
  const s = Math.floor(ms / 1000);
  ms -= s * 1000;
  return `${date}${pad2(h)}:${pad2(m)}:${pad2(s)}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}
