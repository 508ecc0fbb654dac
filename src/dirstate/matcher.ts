// File patterns as hg's match.py understands them: `path:`, `relpath:`
// (the default for command arguments), `glob:`, `relglob:`, `re:`,
// `relre:`, `rootfilesin:`, plus -I/-X. Paths are matched as latin1 strings
// of their bytes, so non-UTF-8 names match byte for byte.
import { AbortError } from '../core/errors.js';
import { decodeUtf8, latin1, utf8 } from '../core/bytes.js';

export interface Matcher {
  /** Does a repo-relative path (latin1 string of its bytes) match? */
  matches(path: string): boolean;
  /** Explicitly named files or directories (repo-relative, latin1), for "no such file" reports. */
  readonly files: readonly string[];
  /** Only exact paths, no patterns. */
  readonly isExact: boolean;
  readonly always: boolean;
  readonly anyPats: boolean;
}

const KINDS = new Set(['re', 'glob', 'path', 'filepath', 'relglob', 'relpath', 'relre', 'rootglob', 'rootfilesin', 'listfile', 'listfile0', 'set', 'include', 'subinclude']);

function splitKind(pat: string, defaultKind: string): [string, string] {
  const i = pat.indexOf(':');
  if (i > 0) {
    const k = pat.slice(0, i);
    if (KINDS.has(k)) return [k, pat.slice(i + 1)];
  }
  return [defaultKind, pat];
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** hg's _globre: a glob translated to a regular expression (unanchored). */
export function globToRegex(pat: string): string {
  let res = '';
  let group = 0;
  let i = 0;
  const n = pat.length;
  const peek = (): string | undefined => pat[i];
  while (i < n) {
    const c = pat[i++]!;
    if (c === '*') {
      if (peek() === '*') {
        i++;
        if (peek() === '/') {
          i++;
          res += '(?:.*/)?';
        } else res += '.*';
      } else res += '[^/]*';
    } else if (c === '?') res += '.';
    else if (c === '[') {
      let j = i;
      if (j < n && (pat[j] === '!' || pat[j] === ']')) j++;
      while (j < n && pat[j] !== ']') j++;
      if (j >= n) res += '\\[';
      else {
        let stuff = pat.slice(i, j).replace(/\\/g, '\\\\');
        i = j + 1;
        if (stuff[0] === '!') stuff = '^' + stuff.slice(1);
        else if (stuff[0] === '^') stuff = '\\' + stuff;
        res += `[${stuff}]`;
      }
    } else if (c === '{') {
      group++;
      res += '(?:';
    } else if (c === '}' && group) {
      res += ')';
      group--;
    } else if (c === ',' && group) res += '|';
    else if (c === '\\') {
      const p = peek();
      if (p !== undefined) {
        i++;
        res += escapeRe(p);
      } else res += '\\\\';
    } else res += escapeRe(c);
  }
  return res;
}

function normJoin(base: string, rel: string): string {
  const parts: string[] = [];
  for (const p of (base ? base + '/' + rel : rel).split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0) throw new AbortError(`${rel} not under root`);
      parts.pop();
    } else parts.push(p);
  }
  return parts.join('/');
}

export interface MatchOptions {
  /** cwd relative to the repository root ('' at the root), as a latin1 string of the bytes. */
  cwdRel: string;
  patterns: readonly string[];
  include?: readonly string[];
  exclude?: readonly string[];
  defaultKind?: string;
}

// globSuffix: hg's patternmatcher ends globs with '$' (a glob names files);
// -I/-X (includematcher) with '(?:/|$)' (a glob may name a directory).
function patternRegex(
  kind: string,
  pat: string,
  cwdRel: string,
  files: string[],
  globSuffix: string,
): { re: string; exact?: string } {
  switch (kind) {
    case 'path':
    case 'filepath': {
      const p = normJoin('', pat);
      files.push(p);
      return p === '' ? { re: '' } : { re: escapeRe(p) + '(?:/|$)', exact: kind === 'filepath' ? p : undefined };
    }
    case 'relpath': {
      const p = normJoin(cwdRel, pat);
      files.push(p);
      return p === '' ? { re: '' } : { re: escapeRe(p) + '(?:/|$)' };
    }
    case 'glob': {
      const p = normJoin(cwdRel, pat);
      return { re: globToRegex(p) + globSuffix };
    }
    case 'rootglob':
      return { re: globToRegex(pat) + globSuffix };
    case 'relglob':
      return { re: '(?:|.*/)' + globToRegex(pat) + globSuffix };
    case 're':
      return { re: pat.startsWith('^') ? pat.slice(1) : pat };
    case 'relre':
      return { re: pat.startsWith('^') ? pat.slice(1) : '.*?' + pat };
    case 'rootfilesin': {
      const p = normJoin('', pat);
      files.push(p);
      return { re: (p === '' ? '' : escapeRe(p) + '/') + '[^/]+$' };
    }
    default:
      throw new AbortError(`pattern kind '${kind}:' is not supported by hgkit`);
  }
}

function compile(
  pats: readonly string[],
  cwdRel: string,
  defaultKind: string,
  files: string[],
  globSuffix: string,
): RegExp | undefined {
  if (pats.length === 0) return undefined;
  const res: string[] = [];
  for (const raw of pats) {
    const [kind, pat] = splitKind(raw, defaultKind);
    res.push(patternRegex(kind, latin1(utf8(pat)), cwdRel, files, globSuffix).re);
  }
  try {
    return new RegExp('^(?:' + res.join('|') + ')', 's');
  } catch (e) {
    throw new AbortError(`invalid pattern: ${(e as Error).message}`);
  }
}

export function buildMatcher(opts: MatchOptions): Matcher {
  const defaultKind = opts.defaultKind ?? 'relpath';
  const files: string[] = [];
  let anyPats = false;
  let exactOnly = opts.patterns.length > 0;
  for (const raw of opts.patterns) {
    const [kind] = splitKind(raw, defaultKind);
    if (kind !== 'path' && kind !== 'relpath' && kind !== 'filepath') anyPats = true;
    if (kind !== 'filepath') exactOnly = false;
  }
  const main = compile(opts.patterns, opts.cwdRel, defaultKind, files, '$');
  // -I/-X default to glob: patterns (hg's match.match), matched as directory prefixes too
  const inc = compile(opts.include ?? [], opts.cwdRel, 'glob', [], '(?:/|$)');
  const exc = compile(opts.exclude ?? [], opts.cwdRel, 'glob', [], '(?:/|$)');
  const always = opts.patterns.length === 0 && !inc && !exc || (files.includes('') && !inc && !exc && !anyPats);
  return {
    matches(path: string): boolean {
      if (main && !main.test(path)) return false;
      if (inc && !inc.test(path)) return false;
      if (exc && exc.test(path)) return false;
      return true;
    },
    files: files.filter((f) => f !== ''),
    isExact: exactOnly,
    always,
    anyPats: anyPats || !!inc || !!exc,
  };
}

/** Display helper: a latin1 path string back to its UTF-8 text. */
export function pathText(latin1Path: string): string {
  const b = new Uint8Array(latin1Path.length);
  for (let i = 0; i < b.length; i++) b[i] = latin1Path.charCodeAt(i);
  return decodeUtf8(b);
}
