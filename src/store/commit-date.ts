// Dates as `hg commit -d` takes them: hg's dateutil.parsedate / strdate /
// parsetimezone / makedate (mercurial/utils/dateutil.py), over Python's
// time.strptime rules for the formats hg lists (C locale: English month and
// day names, case-insensitive, any run of whitespace in a format matching
// any run of whitespace in the input).
//
// A date is `{ time, tz }`: seconds since the epoch (a float for "now") and
// the offset in seconds *west* of UTC, as hg stores them. Local time zones
// come from the process (TZ), as Python's time.mktime does.

import { ParseError } from './revset.js';
import { InputError } from '../core/errors.js';
import { pyBytesRepr } from '../core/pyrepr.js';

export interface HgDate {
  /** Seconds since the epoch (may be fractional for "now"). */
  time: number;
  /** Seconds west of UTC (hg's offset: -3600 is UTC+1). */
  tz: number;
}

/** hg's defaultdateformats, in hg's order. */
export const DEFAULT_DATE_FORMATS: readonly string[] = [
  '%Y-%m-%dT%H:%M:%S',
  '%Y-%m-%dT%H:%M',
  '%Y-%m-%dT%H%M%S',
  '%Y-%m-%dT%H%M',
  '%Y-%m-%d %H:%M:%S',
  '%Y-%m-%d %H:%M',
  '%Y-%m-%d %H%M%S',
  '%Y-%m-%d %H%M',
  '%Y-%m-%d %I:%M:%S%p',
  '%Y-%m-%d %H:%M',
  '%Y-%m-%d %I:%M%p',
  '%Y-%m-%d',
  '%m-%d',
  '%m/%d',
  '%m/%d/%y',
  '%m/%d/%Y',
  '%a %b %d %H:%M:%S %Y',
  '%a %b %d %I:%M:%S%p %Y',
  '%a, %d %b %Y %H:%M:%S',
  '%b %d %H:%M:%S %Y',
  '%b %d %I:%M:%S%p %Y',
  '%b %d %H:%M:%S',
  '%b %d %I:%M:%S%p',
  '%b %d %H:%M',
  '%b %d %I:%M%p',
  '%b %d %Y',
  '%b %d',
  '%H:%M:%S',
  '%I:%M:%S%p',
  '%H:%M',
  '%I:%M%p',
];

/** hg's extendeddateformats (date ranges in revsets and `log -d`). */
export const EXTENDED_DATE_FORMATS: readonly string[] = [...DEFAULT_DATE_FORMATS, '%Y', '%Y-%m', '%b', '%b %Y'];

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Python's _strptime.TimeRE for the C locale.
const DIRECTIVES: Record<string, string> = {
  d: '(?<d>3[0-1]|[1-2]\\d|0[1-9]|[1-9]| [1-9])',
  H: '(?<H>2[0-3]|[0-1]\\d|\\d)',
  I: '(?<I>1[0-2]|0[1-9]|[1-9])',
  m: '(?<m>1[0-2]|0[1-9]|[1-9])',
  M: '(?<M>[0-5]\\d|\\d)',
  S: '(?<S>6[0-1]|[0-5]\\d|\\d)',
  y: '(?<y>\\d\\d)',
  Y: '(?<Y>\\d\\d\\d\\d)',
  a: '(?<a>mon|tue|wed|thu|fri|sat|sun)',
  b: '(?<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)',
  p: '(?<p>am|pm)',
};

const regexCache = new Map<string, RegExp>();

/** Python's TimeRE.compile(format): escaped literals, `\s+` for whitespace, directives; case-insensitive. */
function formatRegex(format: string): RegExp {
  let re = regexCache.get(format);
  if (re) return re;
  let f = format.replace(/([\\.^$*+?(){}[\]|])/g, '\\$1');
  f = f.replace(/\s+/g, '\\s+');
  let out = '';
  for (;;) {
    const i = f.indexOf('%');
    if (i < 0) break;
    const d = f[i + 1]!;
    const dir = DIRECTIVES[d];
    if (dir === undefined) throw new Error(`unsupported strptime directive %${d}`);
    out += f.slice(0, i) + dir;
    f = f.slice(i + 2);
  }
  re = new RegExp(out + f, 'i');
  regexCache.set(format, re);
  return re;
}

/** Days in a month (month 1-12), proleptic Gregorian. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

interface TimeTuple {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Python's time.strptime for the directives above; undefined where it raises ValueError. */
function strptime(s: string, format: string): TimeTuple | undefined {
  const m = formatRegex(format).exec(s);
  if (!m || m.index !== 0 || m[0].length !== s.length) return undefined;
  const g = m.groups ?? {};
  let year = 1900;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  if (g['y'] !== undefined) {
    year = Number(g['y']);
    year += year <= 68 ? 2000 : 1900;
  }
  if (g['Y'] !== undefined) year = Number(g['Y']);
  if (g['m'] !== undefined) month = Number(g['m']);
  if (g['b'] !== undefined) month = MONTHS.indexOf(g['b'].toLowerCase()) + 1;
  if (g['d'] !== undefined) day = Number(g['d'].trim());
  if (g['H'] !== undefined) hour = Number(g['H']);
  if (g['I'] !== undefined) {
    hour = Number(g['I']);
    const ampm = (g['p'] ?? '').toLowerCase();
    if (ampm === '' || ampm === 'am') {
      if (hour === 12) hour = 0;
    } else if (hour !== 12) hour += 12;
  }
  if (g['M'] !== undefined) minute = Number(g['M']);
  if (g['S'] !== undefined) second = Number(g['S']);
  // datetime_date(year, month, day) must exist (Python computes the julian day)
  if (year < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day, hour, minute, second };
}

/** calendar.timegm: the tuple read as UTC (any year, unlike Date.UTC's 0-99 mapping). */
function timegm(t: TimeTuple): number {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.minute, t.second, 0);
  return d.getTime() / 1000;
}

/** time.mktime: the tuple read as local time (DST decided by the system, as with tm_isdst -1). */
function mktime(t: TimeTuple): number {
  const d = new Date(2000, 0, 1);
  d.setFullYear(t.year, t.month - 1, t.day);
  d.setHours(t.hour, t.minute, t.second, 0);
  const first = Math.floor(d.getTime() / 1000);
  // A wall-clock time that occurs twice (the hour repeated when DST ends):
  // JavaScript takes the first instant, glibc's mktime with tm_isdst -1 the
  // second (standard time). Look for a later instant with the same wall time.
  const wall = timegm(t);
  let best = first;
  for (const probe of [first - 86400, first + 86400]) {
    const off = new Date(probe * 1000).getTimezoneOffset() * 60;
    const cand = wall + off;
    if (cand > best && new Date(cand * 1000).getTimezoneOffset() * 60 === off) best = cand;
  }
  return best;
}

/** Local time zone offset (seconds west of UTC) at a moment, as hg's makedate computes it. */
export function localOffset(time: number): number {
  return Math.round(new Date(Math.floor(time) * 1000).getTimezoneOffset() * 60);
}

/** hg's makedate(): now (or `timestamp`) with the local offset. */
export function makeDate(timestamp: number = Date.now() / 1000): HgDate {
  if (timestamp < 0) throw new InputError(`negative timestamp: ${Math.trunc(timestamp)}`, { hint: 'check your clock' });
  return { time: timestamp, tz: localOffset(timestamp) };
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/** hg's datestr(date, '%<c>') for the single directives parsedate needs (d m y H M S). */
function datePart(date: HgDate, c: string): string {
  let d = date.time - date.tz;
  if (d > 0x7fffffff) d = 0x7fffffff;
  else if (d < -0x80000000) d = -0x80000000;
  const t = new Date(Math.floor(d) * 1000);
  switch (c) {
    case 'd':
      return pad2(t.getUTCDate());
    case 'm':
      return pad2(t.getUTCMonth() + 1);
    case 'y':
      return pad2(t.getUTCFullYear() % 100);
    case 'H':
      return pad2(t.getUTCHours());
    case 'M':
      return pad2(t.getUTCMinutes());
    case 'S':
      return pad2(t.getUTCSeconds());
    default:
      throw new Error(`datePart %${c}`);
  }
}

function isDigits(s: string): boolean {
  return /^[0-9]+$/.test(s);
}

/** hg's parsetimezone: a trailing time zone and the rest of the string. */
export function parseTimezone(s: string): [offset: number | undefined, rest: string] {
  if (s.endsWith('GMT') || s.endsWith('UTC')) return [0, s.slice(0, -3).replace(/[ \t\n\r\x0b\x0c]+$/, '')];
  const n = s.length;
  if (n >= 5 && (s[n - 5] === '+' || s[n - 5] === '-') && isDigits(s.slice(n - 4))) {
    const sign = s[n - 5] === '+' ? 1 : -1;
    const hours = Number(s.slice(n - 4, n - 2));
    const minutes = Number(s.slice(n - 2));
    return [-sign * (hours * 60 + minutes) * 60 + 0, s.slice(0, n - 5).replace(/[ \t\n\r\x0b\x0c]+$/, '')];
  }
  if (s.endsWith('Z') && n >= 2 && isDigits(s[n - 2]!)) return [0, s.slice(0, -1)];
  if (
    n >= 6 &&
    (s[n - 6] === '+' || s[n - 6] === '-') &&
    s[n - 3] === ':' &&
    isDigits(s.slice(n - 5, n - 3)) &&
    isDigits(s.slice(n - 2))
  ) {
    const sign = s[n - 6] === '+' ? 1 : -1;
    const hours = Number(s.slice(n - 5, n - 3));
    const minutes = Number(s.slice(n - 2));
    return [-sign * (hours * 60 + minutes) * 60 + 0, s.slice(0, n - 6)];
  }
  return [undefined, s];
}

type Defaults = Record<string, [string, string]>;

/** hg's strdate: undefined where Python raises ValueError/OverflowError. */
function strdate(s: string, format: string, defaults: Defaults): [number, number] | undefined {
  let [offset, date] = parseTimezone(s);
  let usenow = false;
  for (const part of ['S', 'M', 'HI', 'd', 'mb', 'yY']) {
    const found = [...part].some((p) => format.includes('%' + p));
    if (!found) {
      date += '@' + defaults[part]![usenow ? 1 : 0];
      format += '@%' + part[0];
    } else {
      usenow = true;
    }
  }
  const tt = strptime(date, format);
  if (tt === undefined) return undefined;
  const localunixtime = Math.trunc(timegm(tt));
  let unixtime: number;
  if (offset === undefined) {
    unixtime = mktime(tt);
    offset = unixtime - localunixtime;
  } else {
    unixtime = localunixtime + offset;
  }
  return [unixtime, offset];
}

/** Python's int() on bytes: optional whitespace and sign, digits with single underscores between them. */
function pyInt(s: string): number | undefined {
  const t = s.replace(/^[ \t\n\r\x0b\x0c]+|[ \t\n\r\x0b\x0c]+$/g, '');
  if (!/^[+-]?[0-9](_?[0-9])*$/.test(t)) return undefined;
  return Number(t.replace(/_/g, ''));
}


export interface ParseDateOptions {
  formats?: readonly string[];
  /** hg's bias: defaults for the missing parts ('d', 'mb', 'yY', 'HI', 'M', 'S'). */
  bias?: Record<string, string>;
  /** The current time (tests); default: the clock. */
  now?: () => HgDate;
}

/**
 * hg's dateutil.parsedate: `"unixtime offset"` or one of the formats, with an
 * optional trailing time zone (`GMT`, `UTC`, `+hhmm`, `-hh:mm`, `Z`);
 * `now`, `today`, `yesterday`. Errors are hg's ParseErrors ("invalid date:
 * 'x'", "date exceeds 32 bits: n", "impossible time zone offset: n").
 */
export function parseDate(input: string, opts: ParseDateOptions = {}): HgDate {
  const nowFn = opts.now ?? (() => makeDate());
  if (input === '') return { time: 0, tz: 0 };
  const formats = opts.formats ?? DEFAULT_DATE_FORMATS;
  const bias = opts.bias ?? {};
  let date = input.replace(/^[ \t\n\r\x0b\x0c]+|[ \t\n\r\x0b\x0c]+$/g, '');
  if (date === 'now') return nowFn();
  if (date === 'today' || date === 'yesterday') {
    const d = new Date();
    if (date === 'yesterday') d.setDate(d.getDate() - 1);
    date = `${MONTH_NAMES[d.getMonth()]} ${pad2(d.getDate())}`;
  }
  let when: number;
  let offset: number;
  const parts = date.split(' ');
  const ints = parts.length === 2 ? parts.map(pyInt) : [];
  if (ints.length === 2 && ints[0] !== undefined && ints[1] !== undefined) {
    when = ints[0];
    offset = ints[1];
  } else {
    const now = nowFn();
    const defaults: Defaults = {};
    for (const part of ['d', 'mb', 'yY', 'HI', 'M', 'S']) {
      let b = bias[part];
      if (b === undefined) b = 'HMS'.includes(part[0]!) ? '00' : '1';
      defaults[part] = [b, datePart(now, part[0]!)];
    }
    let found: [number, number] | undefined;
    for (const format of formats) {
      found = strdate(date, format, defaults);
      if (found) break;
    }
    if (!found) throw new ParseError(`invalid date: ${pyBytesRepr(new TextEncoder().encode(date))}`, '');
    [when, offset] = found;
  }
  if (when < -0x80000000 || when > 0x7fffffff) throw new ParseError(`date exceeds 32 bits: ${when}`, '');
  if (offset < -50400 || offset > 43200) throw new ParseError(`impossible time zone offset: ${offset}`, '');
  return { time: when + 0, tz: offset + 0 };
}

/** The changelog's date field: `"%d %d"` of hg's (time, tz), truncating a fractional time. */
export function formatHgDate(d: HgDate): string {
  return `${Math.trunc(d.time)} ${Math.trunc(d.tz)}`;
}
