import { NULL_REV, type Rev } from '../core/node.js';
import type { Changelog } from '../changelog/changelog.js';

/** Heads of the common ancestors of two changelog revisions ([-1] when none, as hg's callers expect). */
export function commonAncestorHeads(cl: Changelog, a: Rev, b: Rev): Rev[] {
  if (a === NULL_REV || b === NULL_REV) return [NULL_REV];
  const anc = (r: Rev): Set<Rev> => {
    const seen = new Set<Rev>();
    const stack = [r];
    while (stack.length) {
      const x = stack.pop()!;
      if (x === NULL_REV || seen.has(x)) continue;
      seen.add(x);
      stack.push(...cl.parentRevs(x));
    }
    return seen;
  };
  const sa = anc(a);
  const common = [...anc(b)].filter((r) => sa.has(r));
  if (!common.length) return [NULL_REV];
  const set = new Set(common);
  const notHead = new Set<Rev>();
  for (const r of common) for (const p of cl.parentRevs(r)) if (set.has(p)) notHead.add(p);
  return common.filter((r) => !notHead.has(r)).sort((x, y) => x - y);
}
