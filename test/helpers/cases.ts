// Turns a fixture's "interesting" revisions and files into the command lines that
// the read-path conformance test compares between hg and hgkit.

import type { FixtureSpec } from './fixtures.js';
import type { ExpectOptions } from './hg.js';

export interface CommandCase {
  /** Readable test name: the command line, with control characters escaped. */
  name: string;
  args: string[];
  expect?: ExpectOptions;
}

function displayArg(a: string): string {
  const shown = a.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return /[\s'"]/.test(a) || a === '' ? JSON.stringify(shown) : shown;
}

export function caseName(args: readonly string[]): string {
  return args.map(displayArg).join(' ');
}

function uniq<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/**
 * All read-path command lines for a fixture. Content fixtures get every command on
 * their interesting revisions and files. Format variants (storageOnly) get the
 * commands that read every revlog (manifest --debug, log --debug, verify, debug*)
 * and one `cat` of all their files at once: their content is the same, only the
 * storage differs.
 */
export function readCommandCases(spec: FixtureSpec): CommandCase[] {
  const c = spec.cases;
  const out: string[][] = [];
  const add = (...args: string[]): void => void out.push(args);
  const first = c.revs[0]!;
  const last = c.revs[c.revs.length - 1]!;

  if (spec.storageOnly) {
    add('manifest', '--debug');
    add('manifest', '-r', first);
    add('log', '--debug');
    for (const f of c.logFiles) add('log', f);
    const atTip = c.cat.filter(([r]) => r === last).map(([, f]) => f);
    if (atTip.length) add('cat', '-r', last, ...atTip);
    for (const [r, f] of c.cat) if (r !== last) add('cat', '-r', r, f);
    const [a, b] = c.statusPairs[0]!;
    add('status', '--rev', a, '--rev', b, '-C');
    for (const r of c.changes) add('status', '--change', r);
    add('heads');
    add('identify', '-r', first);
  } else {
    // manifest
    add('manifest');
    add('manifest', '--debug');
    add('manifest', '--debug', '-r', first);
    add('manifest', '-v');
    add('manifest', '--all');
    for (const r of c.revs) add('manifest', '-r', r);
    // cat
    for (const [r, f] of c.cat) add('cat', '-r', r, f);
    // log (`log`, `log -v` and `log --debug` show every revision; `log -r` is about the lookup)
    add('log');
    add('log', '-v');
    add('log', '--debug');
    add('log', '-r', first);
    add('log', '-r', last);
    add('log', '-l', '1');
    add('log', '-l', '3');
    for (const f of c.logFiles) add('log', f);
    // files, heads, tip, identify
    add('files', '-r', first);
    add('files', '-r', last);
    if (c.revs.includes('null')) add('files', '-r', 'null');
    add('heads');
    add('tip');
    for (const r of c.revs) add('identify', '-r', r);
    // status (-C output is a superset: plain status on the first pair only)
    c.statusPairs.forEach(([a, b], i) => {
      if (i === 0) add('status', '--rev', a, '--rev', b);
      add('status', '--rev', a, '--rev', b, '-C');
    });
    for (const r of c.changes) add('status', '--change', r);
  }
  // debug commands and verify
  add('debugindex', '-c');
  add('debugindex', '-m');
  for (const f of uniq(c.filelogs.map(([f]) => f))) add('debugindex', f);
  for (const r of c.dataRevs) {
    add('debugdata', '-c', r);
    add('debugdata', '-m', r);
  }
  for (const [f, r] of c.filelogs) add('debugdata', f, r);
  add('verify');
  for (const e of c.extra ?? []) add(...e);

  const seen = new Set<string>();
  const cases: CommandCase[] = [];
  for (const args of out) {
    // `files` exits 1 when nothing matched (e.g. on the null revision)
    const expect: ExpectOptions | undefined =
      args[0] === 'files' && args.includes('null') ? { hgCode: 1, stderr: 'full' } : undefined;
    const key = args.join('\0');
    if (seen.has(key)) continue;
    seen.add(key);
    cases.push({ name: caseName(args), args, ...(expect ? { expect } : {}) });
  }
  return cases;
}
