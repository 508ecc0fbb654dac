// `.hgignore` as hg 6.3 reads it (match.readpatternfile, _donormalize,
// _regex, _buildmatch, _expandsubinclude), compiled once into one RegExp
// (plus one lazily built matcher per `subinclude:`).
//
// File syntax: `#` starts a comment unless escaped (`\#`), trailing
// whitespace is dropped, `syntax: regexp|re|glob|rootglob|include|subinclude`
// switches the default (initially regexp), and a line may start with
// `re:`/`relre:`/`regexp:`, `glob:`/`relglob:`, `rootglob:`, `include:`,
// `subinclude:`. Anything else, `path:` included, is a pattern of the
// current default syntax (hg 6.3 does the same).
//
// Kinds become Python regular expressions exactly as hg builds them
// (`relglob`: `(?:|.*/)<glob>(?:/|$)`, `relre`: `.*<re>` unless anchored, a
// leading `(?i)` scoped over the whole pattern, ...), which are then
// translated to JavaScript (pyre.ts) and joined. hg matches with
// `re.match`, i.e. anchored at the start: the joined source is `^(?:...)`.
//
// Paths are latin1 strings of their bytes, as everywhere in the matchers.

import { AbortError } from '../core/errors.js';
import { PyReError, translatePyRegex } from './pyre.js';

/** Reads a pattern file; undefined when it cannot be read (with the reason, hg's strerror). */
export type PatternFileReader = (path: string) => { data: Uint8Array } | { error: string };

export interface IgnoreOptions {
  /** Repository root (an OS path). */
  root: string;
  /** Pattern files to read (absolute OS paths): `<root>/.hgignore` when it exists, plus ui.ignore files. */
  files: readonly string[];
  readFile: PatternFileReader;
  warn?: (msg: string) => void;
}

export interface IgnoreMatcher {
  /** hg's dirstate._ignore(path). */
  (path: string): boolean;
  /** True when nothing can be ignored (no patterns). */
  readonly never: boolean;
  /**
   * The JavaScript source of the compiled expression. When `parallelSafe`,
   * `new RegExp(source).test(path)` is the whole matcher (no subincludes),
   * so another thread can rebuild it.
   */
  readonly source: string;
  readonly parallelSafe?: boolean;
}

interface KindPat {
  kind: string;
  pat: string;
  source: string;
}

const SYNTAXES: [string, string][] = [
  ['re', 'relre:'],
  ['regexp', 'relre:'],
  ['glob', 'relglob:'],
  ['rootglob', 'rootglob:'],
  ['include', 'include'],
  ['subinclude', 'subinclude'],
];
const SYNTAX_MAP = new Map(SYNTAXES);

const ALL_KINDS = new Set([
  're', 'glob', 'path', 'filepath', 'relglob', 'relpath', 'relre', 'rootglob', 'listfile', 'listfile0', 'set', 'include', 'subinclude', 'rootfilesin',
]);

const MAX_RE_SIZE = 20000;

function latin1String(b: Uint8Array, s = 0, e = b.length): string {
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(b[i]!);
  return out;
}

/** A latin1 string of bytes shown as text (UTF-8 bytes decoded). */
function display(latin1: string): string {
  const b = new Uint8Array(latin1.length);
  for (let i = 0; i < b.length; i++) b[i] = latin1.charCodeAt(i);
  return new TextDecoder('utf-8').decode(b);
}

/** Python's bytes.rstrip(): ASCII whitespace. */
function rstrip(s: string): string {
  let e = s.length;
  while (e > 0) {
    const c = s.charCodeAt(e - 1);
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) e--;
    else break;
  }
  return s.slice(0, e);
}

function strip(s: string): string {
  let b = 0;
  while (b < s.length) {
    const c = s.charCodeAt(b);
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) b++;
    else break;
  }
  return rstrip(s.slice(b));
}

/** Removes a comment: `#` preceded by an even number of backslashes, then unescapes `\#`. */
function stripComment(line: string): string {
  if (!line.includes('#')) return line;
  // hg: ((?:^|[^\\])(?:\\\\)*)#.*  -- search, first match
  const m = /((?:^|[^\\])(?:\\\\)*)#[^\n]*/.exec(line);
  if (m) line = line.slice(0, m.index + m[1]!.length);
  return line.split('\\#').join('#');
}

/** hg's readpatternfile: the patterns of one file, each prefixed with its syntax. */
export function parsePatternFile(text: string, filepath: string, warn?: (msg: string) => void): string[] {
  let syntax = 'relre:';
  const out: string[] = [];
  // lines as Python iterates a binary file: split after each \n
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl + 1;
    let line = text.slice(start, end);
    start = end;
    line = rstrip(stripComment(line));
    if (!line) continue;
    if (line.startsWith('syntax:')) {
      const s = strip(line.slice(7));
      const v = SYNTAX_MAP.get(s);
      if (v === undefined) warn?.(`${filepath}: ignoring invalid syntax '${display(s)}'\n`);
      else syntax = v;
      continue;
    }
    let linesyntax = syntax;
    for (const [s, rels] of SYNTAXES) {
      if (line.startsWith(rels)) {
        linesyntax = rels;
        line = line.slice(rels.length);
        break;
      } else if (line.startsWith(s + ':')) {
        linesyntax = rels;
        line = line.slice(s.length + 1);
        break;
      }
    }
    out.push(linesyntax + line);
  }
  return out;
}

function patSplit(pattern: string, dflt: string): [string, string] {
  const i = pattern.indexOf(':');
  if (i >= 0) {
    const kind = pattern.slice(0, i);
    if (ALL_KINDS.has(kind)) return [kind, pattern.slice(i + 1)];
  }
  return [dflt, pattern];
}

/** os.path.normpath for POSIX (bytes as latin1). */
export function normPath(p: string): string {
  if (p === '') return '.';
  const initial = p.startsWith('/') ? (p.startsWith('//') && !p.startsWith('///') ? 2 : 1) : 0;
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c !== '..' || (!initial && out.length === 0) || (out.length > 0 && out[out.length - 1] === '..')) out.push(c);
    else if (out.length > 0) out.pop();
  }
  const s = '/'.repeat(initial) + out.join('/');
  return s || '.';
}

function joinPath(a: string, b: string): string {
  if (b.startsWith('/')) return b;
  if (a === '' || a.endsWith('/')) return a + b;
  return a + '/' + b;
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** OS path string -> latin1 string of its UTF-8 bytes, and back. */
function osToLatin1(s: string): string {
  return latin1String(new TextEncoder().encode(s));
}

function latin1ToOs(s: string): string {
  return display(s);
}

/** hg's _donormalize for the kinds that can come out of pattern files. */
function normalize(patterns: readonly string[], dflt: string, root: string, opts: IgnoreOptions, source: string): KindPat[] {
  const out: KindPat[] = [];
  for (const p of patterns) {
    const [kind, pat0] = patSplit(p, dflt);
    let pat = pat0;
    if (kind === 'relpath' || kind === 'glob') {
      // canonpath(root, '', pat): relative to the root
      pat = normPath(pat);
      if (pat === '.') pat = '';
    } else if (kind === 'relglob' || kind === 'path' || kind === 'rootfilesin' || kind === 'rootglob') {
      pat = normPath(pat);
    } else if (kind === 'include') {
      const fullpath = joinPath(root, latin1ToOs(pat));
      const r = opts.readFile(fullpath);
      if ('error' in r) {
        opts.warn?.(`skipping unreadable pattern file '${latin1ToOs(pat)}': ${r.error}\n`);
        continue;
      }
      let inner: KindPat[];
      try {
        inner = normalize(parsePatternFile(latin1String(r.data), fullpath, opts.warn), dflt, root, opts, '');
      } catch (e) {
        if (e instanceof AbortError) throw new AbortError(`${latin1ToOs(pat)}: ${e.message}`);
        throw e;
      }
      for (const k of inner) out.push({ ...k, source: k.source || pat });
      continue;
    } else if (kind === 'listfile' || kind === 'listfile0' || kind === 'set') {
      throw new AbortError(`pattern kind '${kind}:' is not supported in ignore files by hgkit`);
    }
    out.push({ kind, pat, source });
  }
  return out;
}

function reescape(s: string): string {
  return s.replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, '\\$&');
}

/** hg's _globre: a glob as Python regex source. */
export function pyGlobRe(pat: string): string {
  let res = '';
  let group = 0;
  let i = 0;
  const n = pat.length;
  while (i < n) {
    const c = pat[i++]!;
    if (!'*?[{},\\'.includes(c)) res += reescape(c);
    else if (c === '*') {
      if (pat[i] === '*') {
        i++;
        if (pat[i] === '/') {
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
      if (i < n) res += reescape(pat[i++]!);
      else res += reescape(c);
    } else res += reescape(c);
  }
  return res;
}

const FLAG_RE = /^\(\?([aiLmsux]+)\)([^\n]*)/;

/** hg's _regex(kind, pat, globsuffix), returning [python source, flags in force]. */
function pyRegex(kind: string, pat: string, globsuffix: string): [string, string] {
  if (!pat && (kind === 'glob' || kind === 'relpath')) return ['', ''];
  switch (kind) {
    case 're':
      return [pat, ''];
    case 'path':
    case 'relpath':
      return pat === '.' ? ['', ''] : [reescape(pat) + '(?:/|$)', ''];
    case 'rootfilesin':
      return [(pat === '.' ? '' : reescape(pat) + '/') + '[^/]+$', ''];
    case 'relglob': {
      const g = pyGlobRe(pat);
      if (g.startsWith('[^/]*')) return ['.*' + g.slice(5) + globsuffix, ''];
      return ['(?:|.*/)' + g + globsuffix, ''];
    }
    case 'relre': {
      let flag = '';
      const m = FLAG_RE.exec(pat);
      if (m) {
        flag = m[1]!;
        pat = m[2]!;
      }
      if (!pat.startsWith('^')) pat = '.*' + pat;
      return [pat, flag];
    }
    case 'glob':
    case 'rootglob':
      return [pyGlobRe(pat) + globsuffix, ''];
  }
  throw new AbortError(`not a regex pattern: ${kind}:${display(pat)}`);
}

/** Compiles kind patterns into one anchored JS RegExp source. */
function compileKindPats(kindpats: readonly KindPat[], globsuffix: string): string {
  const alts: string[] = [];
  for (const kp of kindpats) {
    const [py, flags] = pyRegex(kp.kind, kp.pat, globsuffix);
    // hg reports the size of the regex it would build ("(?flags:...)" included)
    const size = flags ? py.length + flags.length + 4 : py.length;
    if (size > MAX_RE_SIZE) throw new AbortError(`matcher pattern is too long (${size} bytes)`);
    if (flags.includes('u')) invalid(kp);
    try {
      alts.push(translatePyRegex(py, flags));
    } catch (e) {
      if (e instanceof PyReError) invalid(kp);
      throw e;
    }
  }
  return '^(?:' + alts.join('|') + ')';
}

function invalid(kp: KindPat): never {
  const what = `invalid pattern (${kp.kind}): ${display(kp.pat)}`;
  throw new AbortError(kp.source ? `${display(kp.source)}: ${what}` : what);
}

interface SubInclude {
  prefix: string;
  root: string;
  path: string;
  matcher?: (p: string) => boolean;
}

/** An include matcher over pattern files (hg's includematcher with globsuffix `(?:/|$)`). */
function buildIncludeMatcher(
  root: string,
  includes: readonly string[],
  opts: IgnoreOptions,
): { fn: (p: string) => boolean; source: string; never: boolean; simple: boolean } {
  const kindpats = normalize(includes, 'glob', root, opts, '');
  const subs: SubInclude[] = [];
  const rest: KindPat[] = [];
  const rootL = osToLatin1(root);
  for (const kp of kindpats) {
    if (kp.kind === 'subinclude') {
      const sourceroot = dirname(normPath(kp.source));
      const path = joinPath(sourceroot, kp.pat);
      const newroot = dirname(path);
      let prefix = '';
      if (newroot.startsWith(rootL + '/')) prefix = newroot.slice(rootL.length + 1);
      else if (newroot !== rootL) prefix = newroot; // hg's canonpath would abort; keep it harmless
      if (prefix) prefix += '/';
      subs.push({ prefix, root: latin1ToOs(newroot), path: latin1ToOs(path) });
    } else rest.push(kp);
  }
  let re: RegExp | undefined;
  let source = '';
  if (rest.length > 0) {
    source = compileKindPats(rest, '(?:/|$)');
    re = new RegExp(source);
  }
  if (subs.length === 0) {
    if (!re) return { fn: () => false, source: '', never: true, simple: true };
    const r = re;
    return { fn: (p) => r.test(p), source, never: false, simple: true };
  }
  const matchSub = (p: string): boolean => {
    for (const s of subs) {
      if (p.startsWith(s.prefix)) {
        if (!s.matcher) {
          s.matcher = buildIncludeMatcher(s.root, ['include:' + osToLatin1(s.path)], opts).fn;
        }
        if (s.matcher(p.slice(s.prefix.length))) return true;
      }
    }
    return false;
  };
  const r = re;
  return { fn: r ? (p) => r.test(p) || matchSub(p) : matchSub, source, never: false, simple: false };
}

/**
 * The ignore matcher of a working copy (hg's dirstate._ignore). Throws
 * AbortError for invalid patterns, with hg's message.
 */
export function buildIgnoreMatcher(opts: IgnoreOptions): IgnoreMatcher {
  if (opts.files.length === 0) return Object.assign(() => false, { never: true, source: '', parallelSafe: true });
  const pats = opts.files.map((f) => 'include:' + osToLatin1(f));
  const m = buildIncludeMatcher(opts.root, pats, opts);
  return Object.assign(m.fn, { never: m.never, source: m.source, parallelSafe: m.simple });
}

/** hg's dirstate._dirignore: the path or one of its parent directories (the root '' included) is ignored. */
export function dirIgnored(ignore: IgnoreMatcher, path: string): boolean {
  if (ignore.never) return false;
  if (ignore(path)) return true;
  let pos = path.lastIndexOf('/');
  while (pos !== -1) {
    if (ignore(path.slice(0, pos))) return true;
    pos = path.lastIndexOf('/', pos - 1);
  }
  return ignore('');
}
