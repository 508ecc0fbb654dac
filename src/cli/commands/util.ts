// Small helpers shared by command modules.
import { relative, sep } from 'node:path';
import { latin1, utf8 } from '../../core/bytes.js';

/** The cwd relative to the repository root, as a latin1 string of its bytes ('' at the root or outside it). */
export function cwdRelative(root: string, cwd: string): string {
  const rel = relative(root, cwd);
  if (rel === '' || rel.startsWith('..')) return '';
  return latin1(utf8(rel.split(sep).join('/')));
}
