// Command-line paths <-> repository paths, and the display of repository
// paths relative to the current directory.
import { relative, resolve, sep } from 'node:path';
import { InputError } from '../core/errors.js';
import { utf8 } from '../core/bytes.js';

/** hg's canonpath: a repo-relative path (bytes) for a command-line path. */
export function repoPath(root: string, cwd: string, arg: string): Uint8Array {
  const abs = resolve(cwd, arg);
  if (abs === root) return new Uint8Array(0);
  const rel = relative(root, abs);
  if (rel.startsWith('..') || resolve(root, rel) !== abs || rel.startsWith(sep)) {
    throw new InputError(`${arg} not under root '${root}'`);
  }
  if (rel.split(sep).includes('.hg')) throw new InputError(`path contains illegal component: ${rel}`);
  return utf8(rel.split(sep).join('/'));
}

/** Display form of a repo path relative to cwd (hg's getuipathfn with relative paths). */
export function makeRelativeDisplay(root: string, cwd: string): (path: string) => string {
  if (cwd === root) return (p) => p;
  return (p) => {
    const r = relative(cwd, resolve(root, p));
    return r === '' ? '.' : r;
  };
}
