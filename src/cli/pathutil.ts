// Command-line paths and patterns as hg resolves them (pathutil.canonpath,
// util.pathto, match._donormalize). Strings are latin1 strings of the path bytes.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AbortError } from '../core/errors.js';
import { expandListFiles } from '../dirstate/matcher.js';
import { decodeUtf8, fromLatin1, latin1, utf8 } from '../core/bytes.js';

/**
 * hg's util.pathto(root, n1, n2): repo path `n2` as seen from `n1` (the cwd,
 * repo-relative, or absolute when outside the repository). Strings here are
 * latin1 strings of the path bytes.
 */
export function pathTo(root: string, n1: string, n2: string): string {
  if (n1 === '') return n2;
  if (n1.startsWith('/')) n2 = root + '/' + n2;
  const a = n1.split('/');
  const b = n2.split('/');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...new Array<string>(a.length - i).fill('..'), ...b.slice(i)].join('/') || '.';
}

/** hg's dirstate.getcwd(): '' at the root, the repo-relative cwd inside, the absolute cwd outside (latin1). */
export function repoCwd(root: string, cwd: string): string {
  if (cwd === root) return '';
  const rootSep = root.endsWith('/') ? root : root + '/';
  return cwd.startsWith(rootSep) ? cwd.slice(rootSep.length) : cwd;
}

/** os.path.normpath for POSIX paths. */
export function normPath(p: string): string {
  if (p === '') return '.';
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c !== '..' || (!abs && out.length === 0) || (out.length > 0 && out[out.length - 1] === '..')) out.push(c);
    else if (out.length > 0) out.pop();
  }
  const s = (abs ? '/' : '') + out.join('/');
  return s || '.';
}

/** hg's pathauditor checks that need no file system. */
export function auditPath(path: string): void {
  const parts = path.split('/');
  const first = parts[0]!.toLowerCase();
  if (first === '.hg' || first === '.hg.' || parts[0] === '' || parts.includes('..')) {
    throw new AbortError(`path contains illegal component: ${path}`);
  }
  const lower = parts.map((p) => p.toLowerCase());
  for (const bad of ['.hg', '.hg.']) {
    const pos = lower.indexOf(bad, 1);
    if (pos > 0) {
      throw new AbortError(`path '${path}' is inside nested repo '${parts.slice(0, pos).join('/')}'`);
    }
  }
}

/** hg's pathutil.canonpath (without the symlink-to-root search): a repo-relative path for a command-line name. */
export function canonPath(root: string, cwd: string, name: string): string {
  const rootSep = root.endsWith('/') ? root : root + '/';
  let full = name.startsWith('/') ? name : cwd.startsWith('/') ? cwd + '/' + name : [root, cwd, name].filter((x) => x !== '').join('/');
  full = normPath(full);
  if (full !== rootSep && full.startsWith(rootSep)) {
    const rel = full.slice(rootSep.length);
    auditPath(rel);
    return rel;
  }
  if (full === root) return '';
  let hint: string | undefined;
  if (cwd !== root) {
    try {
      canonPath(root, root, name);
      let rel = pathTo(root, cwd, '');
      if (rel.endsWith('/')) rel = rel.slice(0, -1);
      hint = `consider using '--cwd ${rel}'`;
    } catch {
      /* no hint */
    }
  }
  throw new AbortError(`${name} not under root '${root}'`, hint ? { hint } : undefined);
}

const PATTERN_KINDS = ['re', 'glob', 'path', 'filepath', 'relglob', 'relpath', 'relre', 'rootglob', 'rootfilesin', 'listfile', 'listfile0', 'set', 'include', 'subinclude'];

/**
 * Rewrites the cwd-relative pattern kinds (relpath, glob) as root-relative
 * ones, as hg's match._donormalize does with canonpath, so that the matcher
 * gets the same patterns whatever the cwd (even outside the repository).
 */
export function rootedPatterns(root: string, cwd: string, pats: readonly string[], defaultKind: string): string[] {
  // listfile:/listfile0: entries are patterns relative to the cwd too; the file itself is read from the cwd
  const absCwd = resolve(root, decodeUtf8(fromLatin1(cwd)));
  const expanded = expandListFiles(pats, defaultKind, (p) => readFileSync(resolve(absCwd, p)));
  return expanded.map((raw) => {
    const i = raw.indexOf(':');
    let kind = defaultKind;
    let pat = raw;
    if (i > 0 && PATTERN_KINDS.includes(raw.slice(0, i))) {
      kind = raw.slice(0, i);
      pat = raw.slice(i + 1);
    }
    if (kind !== 'relpath' && kind !== 'glob') return kind === defaultKind && raw === pat ? raw : `${kind}:${pat}`;
    const canon = decodeUtf8(fromLatin1(canonPath(root, cwd, latin1(utf8(pat)))));
    return kind === 'relpath' ? `path:${canon}` : `glob:${canon}`;
  });
}

