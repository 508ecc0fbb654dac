// File patterns as hg's match.py understands them: `path:`, `relpath:`
// (the default for command arguments), `glob:`, `relglob:`, `re:`,
// `relre:`, `rootfilesin:`, plus -I/-X. Paths are matched as latin1 strings
// of their bytes, so non-UTF-8 names match byte for byte.
import { readFileSync } from 'node:fs';
import { AbortError } from '../core/errors.js';
import { decodeUtf8, fromLatin1, latin1, utf8 } from '../core/bytes.js';
import { pyGlobRe } from './hgignore.js';

export interface Matcher {
  /** Does a repo-relative path (latin1 string of its bytes) match? */
  matches(path: string): boolean;
  /** Explicitly named files or directories (repo-relative, latin1), for "no such file" reports. */
  readonly files: readonly string[];
  /** Only exact paths, no patterns. */
  readonly isExact: boolean;
  readonly always: boolean;
  readonly anyPats: boolean;
  /**
   * hg's match.files() as the working-copy walk uses it: where the walk
   * starts (the non-glob prefix of each pattern; '' for relglob/re/relre,
   * none at all without patterns). Repo-relative latin1 strings.
   */
  readonly walkRoots?: readonly string[];
  /**
   * Every matching path is one of these or under one of them ('' = anywhere):
   * walkRoots plus the directories of rootfilesin patterns.
   */
  readonly matchRoots?: readonly string[];
  /** hg's match.prefix(): only path/relpath patterns, no -I/-X. */
  readonly prefix?: boolean;
  /**
   * hg's match.visitchildrenset(dir): 'all' or 'this' (visit everything
   * below), or the set of child names worth visiting (empty: skip dir).
   */
  visitChildrenSet?(dir: string): 'all' | 'this' | ReadonlySet<string>;
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

/** hg's _globre: a glob translated to a regular expression (unanchored); shared with .hgignore. */
export const globToRegex = pyGlobRe;

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
  /** Reads a `listfile:`/`listfile0:` file (hg reads it relative to the process's cwd). */
  readListFile?: (path: string) => Uint8Array;
}

/**
 * hg's _donormalize for `listfile:FILE` / `listfile0:FILE`: the file's lines
 * (NUL-separated entries for listfile0), empty ones dropped, each a pattern of
 * the default kind unless it names its own (a listfile may list listfiles).
 */
export function expandListFiles(pats: readonly string[], defaultKind: string, read: (path: string) => Uint8Array): string[] {
  const out: string[] = [];
  for (const raw of pats) {
    const [kind, pat] = splitKind(raw, defaultKind);
    if (kind !== 'listfile' && kind !== 'listfile0') {
      out.push(raw);
      continue;
    }
    let data: Uint8Array;
    try {
      data = read(pat);
    } catch {
      throw new AbortError(`unable to read file list (${pat})`);
    }
    const text = decodeUtf8(data);
    const entries = kind === 'listfile0' ? text.split('\0') : text.split(/\r\n|\r|\n/);
    out.push(...expandListFiles(entries.filter((l) => l.length > 0), defaultKind, read));
  }
  return out;
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

export function buildMatcher(opts0: MatchOptions): Matcher {
  const defaultKind = opts0.defaultKind ?? 'relpath';
  const read = opts0.readListFile ?? ((p: string) => readFileSync(p));
  const opts: MatchOptions = {
    ...opts0,
    patterns: expandListFiles(opts0.patterns, defaultKind, read),
    include: opts0.include && expandListFiles(opts0.include, 'glob', read),
    exclude: opts0.exclude && expandListFiles(opts0.exclude, 'glob', read),
  };
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
  const walk = walkInfo(opts, defaultKind);
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
    walkRoots: walk.roots,
    matchRoots: walk.matchRoots,
    prefix: walk.prefix,
    visitChildrenSet: walk.visit,
  };
}

// ---------------------------------------------------------------------------
// Walk hints (hg's _explicitfiles, _rootsdirsandparents, visitchildrenset)

type KindPat = { kind: string; pat: string };
type VisitSet = 'all' | 'this' | ReadonlySet<string>;
const EMPTY_SET: ReadonlySet<string> = new Set();

/** The normalized (kind, pattern) pairs, as hg's _donormalize makes them. */
function kindPats(pats: readonly string[], cwdRel: string, defaultKind: string): KindPat[] {
  return pats.map((raw) => {
    const [kind, pat0] = splitKind(raw, defaultKind);
    const pat = latin1(utf8(pat0));
    if (kind === 'relpath' || kind === 'glob') return { kind, pat: normJoin(cwdRel, pat) };
    if (kind === 'path' || kind === 'filepath' || kind === 'rootfilesin' || kind === 'relglob' || kind === 'rootglob') {
      return { kind, pat: normJoin('', pat) };
    }
    return { kind, pat };
  });
}

/** hg's _patternrootsanddirs. */
function rootsAndDirs(kps: readonly KindPat[]): { roots: string[]; dirs: string[] } {
  const roots: string[] = [];
  const dirs: string[] = [];
  for (const { kind, pat } of kps) {
    if (kind === 'glob' || kind === 'rootglob') {
      const root: string[] = [];
      for (const p of pat.split('/')) {
        if (/[[{*?]/.test(p)) break;
        root.push(p);
      }
      roots.push(root.join('/'));
    } else if (kind === 'relpath' || kind === 'path' || kind === 'filepath') roots.push(pat === '.' ? '' : pat);
    else if (kind === 'rootfilesin') dirs.push(pat === '.' ? '' : pat);
    else roots.push('');
  }
  return { roots, dirs };
}

/** pathutil.dirs(paths): every ancestor directory ('' included). */
function ancestorDirs(paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    let pos = p.lastIndexOf('/');
    while (pos !== -1) {
      out.add(p.slice(0, pos));
      pos = p.lastIndexOf('/', pos - 1);
    }
    out.add('');
  }
  return out;
}

function pathOrParentsIn(path: string, set: ReadonlySet<string>): boolean {
  if (set.size === 0) return false;
  if (set.has(path) || set.has('')) return true;
  let pos = path.lastIndexOf('/');
  while (pos !== -1) {
    if (set.has(path.slice(0, pos))) return true;
    pos = path.lastIndexOf('/', pos - 1);
  }
  return false;
}

function isPrefixKinds(kps: readonly KindPat[]): boolean {
  return kps.every((k) => k.kind === 'path' || k.kind === 'relpath');
}

/** hg's patternmatcher.visitchildrenset. */
function patternVisit(kps: readonly KindPat[]): (dir: string) => VisitSet {
  const fileset = new Set(rootsAndDirs(kps.filter((k) => k.kind !== 'rootfilesin')).roots);
  const prefix = isPrefixKinds(kps);
  const dirs = ancestorDirs(fileset);
  return (dir) => {
    if (prefix && fileset.has(dir)) return 'all';
    return dirs.has(dir) || pathOrParentsIn(dir, fileset) ? 'this' : EMPTY_SET;
  };
}

/** hg's includematcher.visitchildrenset. */
function includeVisit(kps: readonly KindPat[]): (dir: string) => VisitSet {
  const { roots, dirs } = rootsAndDirs(kps);
  const rootSet = new Set(roots);
  const dirSet = new Set(dirs);
  const parents = ancestorDirs([...roots, ...dirs]);
  const prefix = isPrefixKinds(kps);
  // children of each parent directory that lead to a root or dir
  const children = new Map<string, Set<string>>();
  for (const d of [...dirSet, ...rootSet, ...parents]) {
    if (d === '') continue;
    const slash = d.lastIndexOf('/');
    const parent = slash < 0 ? '' : d.slice(0, slash);
    if (!parents.has(parent)) continue;
    let set = children.get(parent);
    if (!set) children.set(parent, (set = new Set()));
    set.add(d.slice(slash + 1));
  }
  return (dir) => {
    if (prefix && rootSet.has(dir)) return 'all';
    if (rootSet.has('') || dirSet.has(dir) || pathOrParentsIn(dir, rootSet)) return 'this';
    if (parents.has(dir)) return children.get(dir) ?? EMPTY_SET;
    return EMPTY_SET;
  };
}

function isEmptyVisit(v: VisitSet): boolean {
  return typeof v !== 'string' && v.size === 0;
}

function walkInfo(
  opts: MatchOptions,
  defaultKind: string,
): { roots: string[]; matchRoots: string[]; prefix: boolean; visit: (dir: string) => VisitSet } {
  const main = kindPats(opts.patterns, opts.cwdRel, defaultKind);
  let matchRoots = [''];
  if (main.length > 0) {
    const rd = rootsAndDirs(main);
    matchRoots = [...rd.roots, ...rd.dirs];
  }
  const inc = kindPats(opts.include ?? [], opts.cwdRel, 'glob');
  const exc = kindPats(opts.exclude ?? [], opts.cwdRel, 'glob');
  let roots = main.length > 0 ? rootsAndDirs(main.filter((k) => k.kind !== 'rootfilesin')).roots : [];
  let visit: (dir: string) => VisitSet = main.length > 0 ? patternVisit(main) : () => 'all';
  const prefix = main.length > 0 && inc.length === 0 && exc.length === 0 && isPrefixKinds(main);
  if (inc.length > 0) {
    // intersectmatchers(m, includematcher): files are m's + [] ; always() m is replaced by the include matcher
    const m1 = main.length > 0 ? visit : undefined;
    const m2 = includeVisit(inc);
    visit = m1
      ? (dir) => {
          const a = m1(dir);
          if (isEmptyVisit(a)) return EMPTY_SET;
          const b = m2(dir);
          if (isEmptyVisit(b)) return EMPTY_SET;
          if (a === 'all') return b;
          if (b === 'all') return a;
          if (a === 'this' || b === 'this') return 'this';
          return new Set([...(a as ReadonlySet<string>)].filter((x) => (b as ReadonlySet<string>).has(x)));
        }
      : m2;
  }
  if (exc.length > 0) {
    const m1 = visit;
    const m2 = includeVisit(exc);
    visit = (dir) => {
      const b = m2(dir);
      if (b === 'all') return EMPTY_SET;
      const a = m1(dir);
      if (isEmptyVisit(b)) return a;
      if (a === 'all' || a === 'this') return 'this';
      return a;
    };
  }
  roots = [...roots];
  return { roots, matchRoots, prefix, visit };
}

/** Display helper: a latin1 path string back to its UTF-8 text. */
export function pathText(latin1Path: string): string {
  const b = new Uint8Array(latin1Path.length);
  for (let i = 0; i < b.length; i++) b[i] = latin1Path.charCodeAt(i);
  return decodeUtf8(b);
}

/**
 * The matcher as a predicate over path bytes. Prefix matchers (path:/relpath:
 * patterns only) compare bytes with their roots instead of building a string
 * per path: scanning 100,000 names of a changeset stays cheap.
 */
export function pathBytesPredicate(m: Matcher): (path: Uint8Array) => boolean {
  if (m.always) return () => true;
  if (m.prefix && m.matchRoots) {
    if (m.matchRoots.includes('')) return () => true;
    const roots = m.matchRoots.map((r) => fromLatin1(r));
    return (p) => {
      for (const r of roots) {
        if (p.length < r.length || (p.length > r.length && p[r.length] !== 0x2f)) continue;
        let k = 0;
        while (k < r.length && p[k] === r[k]) k++;
        if (k === r.length) return true;
      }
      return false;
    };
  }
  return (p) => m.matches(latin1(p));
}
