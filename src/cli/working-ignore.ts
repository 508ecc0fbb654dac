// The working copy's `.hgignore` matcher, built on first use: hg reads the
// file only when a walk needs to decide about an untracked path.
import * as fs from 'node:fs';
import { buildIgnoreMatcher, type IgnoreMatcher } from '../dirstate/hgignore.js';
import { strerrorOf } from '../dirstate/node-fs.js';

export function lazyIgnore(root: string, warn: (m: string) => void = () => {}): IgnoreMatcher {
  let m: IgnoreMatcher | undefined;
  const get = (): IgnoreMatcher => {
    if (!m) {
      const file = root + '/.hgignore';
      m = buildIgnoreMatcher({
        root,
        files: fs.existsSync(file) ? [file] : [],
        readFile: (p) => {
          try {
            return { data: fs.readFileSync(p) };
          } catch (e) {
            return { error: strerrorOf(e) };
          }
        },
        warn,
      });
    }
    return m;
  };
  const fn = ((p: string) => get()(p)) as IgnoreMatcher;
  Object.defineProperty(fn, 'never', { get: () => get().never });
  Object.defineProperty(fn, 'source', { get: () => get().source });
  Object.defineProperty(fn, 'parallelSafe', { get: () => get().parallelSafe });
  return fn;
}
