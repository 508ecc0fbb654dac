// `-d DATE` of update and revert: hg's cmdutil.finddate over the revset
// date() predicate (dateutil.matchdate: `<DATE`, `>DATE`, `-DAYS`,
// `DATE to DATE`, or a date spec covering its whole period).
import type { CommandContext } from './context.js';
import { AbortError, InputError } from '../core/errors.js';
import type { Rev } from '../core/node.js';
import { EXTENDED_DATE_FORMATS, makeDate, parseDate } from '../store/commit-date.js';
import type { Repository } from '../store/repo.js';
import { datestr } from './dates.js';

function lower(d: string): number {
  return parseDate(d, { formats: EXTENDED_DATE_FORMATS, bias: { mb: '1', d: '1' } }).time;
}

function upper(d: string): number {
  const bias: Record<string, string> = { mb: '12', HI: '23', M: '59', S: '59' };
  for (const days of ['31', '30', '29']) {
    try {
      return parseDate(d, { formats: EXTENDED_DATE_FORMATS, bias: { ...bias, d: days } }).time;
    } catch {
      // try a shorter month
    }
  }
  return parseDate(d, { formats: EXTENDED_DATE_FORMATS, bias: { ...bias, d: '28' } }).time;
}

/** dateutil.matchdate. */
export function matchDate(spec: string): (t: number) => boolean {
  const date = spec.trim();
  if (!date) throw new AbortError('dates cannot consist entirely of whitespace');
  if (date.startsWith('<')) {
    if (date.length === 1) throw new AbortError("invalid day spec, use '<DATE'");
    const when = upper(date.slice(1));
    return (x) => x <= when;
  }
  if (date.startsWith('>')) {
    if (date.length === 1) throw new AbortError("invalid day spec, use '>DATE'");
    const when = lower(date.slice(1));
    return (x) => x >= when;
  }
  if (date.startsWith('-')) {
    const s = date.slice(1);
    if (!/^\s*[+-]?\d+\s*$/.test(s)) throw new AbortError(`invalid day spec: ${s}`);
    const days = parseInt(s, 10);
    if (days < 0) throw new AbortError(`${s} must be nonnegative (see 'hg help dates')`);
    const when = makeDate().time - days * 3600 * 24;
    return (x) => x >= when;
  }
  if (date.includes(' to ')) {
    const [a, b] = date.split(' to ') as [string, string];
    const start = lower(a);
    const stop = upper(b);
    return (x) => x >= start && x <= stop;
  }
  const start = lower(date);
  const stop = upper(date);
  return (x) => x >= start && x <= stop;
}

/** cmdutil.finddate: the tipmost changeset matching the spec, announced as hg does. */
export function findDate(ctx: CommandContext, repo: Repository, spec: string): Rev {
  const m = matchDate(spec);
  const cl = repo.changelog;
  for (let r = cl.length - 1; r >= 0; r--) {
    const cs = cl.read(r);
    if (m(cs.time)) {
      ctx.ui.status(`found revision ${r} from ${datestr(cs.time, cs.tz)}\n`);
      return r;
    }
  }
  throw new InputError('revision matching date not found');
}
