// Date display as hg's dateutil.datestr: the changeset's own offset, English
// names, and the clamping to the 32-bit range that hg applies.

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/** `+HHMM`/`-HHMM` for an offset in seconds west of UTC (hg's `%1%2`). */
export function formatTzOffset(tz: number): string {
  const sign = tz > 0 ? '-' : '+';
  const minutes = Math.floor(Math.abs(tz) / 60);
  return sign + pad2(Math.floor(minutes / 60)) + pad2(minutes % 60);
}

/** The wall-clock fields of `time` seen at offset `tz` (seconds west of UTC). */
function localFields(time: number, tz: number): Date {
  let d = time - tz;
  if (d > 0x7fffffff) d = 0x7fffffff;
  else if (d < -0x80000000) d = -0x80000000;
  return new Date(Math.floor(d) * 1000);
}

/** hg's default date format: `%a %b %d %H:%M:%S %Y %1%2`, e.g. `Thu Jan 01 00:00:00 1970 +0000`. */
export function datestr(time: number, tz: number): string {
  const t = localFields(time, tz);
  return (
    `${DAYS[t.getUTCDay()]} ${MONTHS[t.getUTCMonth()]} ${pad2(t.getUTCDate())} ` +
    `${pad2(t.getUTCHours())}:${pad2(t.getUTCMinutes())}:${pad2(t.getUTCSeconds())} ` +
    `${t.getUTCFullYear()} ${formatTzOffset(tz)}`
  );
}

/** hg's shortdate: `%Y-%m-%d` at the changeset's offset. */
export function shortdate(time: number, tz: number): string {
  const t = localFields(time, tz);
  return `${t.getUTCFullYear()}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}
