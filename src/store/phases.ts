// Phases (mercurial/phases.py): `.hg/store/phaseroots` lists, per non-public
// phase, the roots of that phase. A changeset's phase is the highest phase of
// any root among its ancestors (itself included); no file means all public.
import { fromHex, indexOfByte, latin1 } from '../core/bytes.js';
import { NULL_REV, type Node, type Rev } from '../core/node.js';
import type { Changelog } from '../changelog/changelog.js';

export const PUBLIC = 0;
export const DRAFT = 1;
export const SECRET = 2;
export const ARCHIVED = 32;
export const INTERNAL = 96;

const NAMES = new Map<number, string>([
  [PUBLIC, 'public'],
  [DRAFT, 'draft'],
  [SECRET, 'secret'],
  [ARCHIVED, 'archived'],
  [INTERNAL, 'internal'],
]);

export function phaseName(phase: number): string {
  return NAMES.get(phase) ?? String(phase);
}

/** Parses phaseroots text: `<phase> <hex40>` lines. Unknown nodes are kept (the caller filters). */
export function parsePhaseRoots(data: Uint8Array | undefined): { phase: number; node: Node }[] {
  const out: { phase: number; node: Node }[] = [];
  if (!data) return out;
  let s = 0;
  while (s < data.length) {
    let e = indexOfByte(data, 10, s);
    if (e < 0) e = data.length;
    const line = latin1(data, s, e);
    s = e + 1;
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const phase = Number(line.slice(0, sp));
    const node = fromHex(line.slice(sp + 1).trim());
    if (!Number.isInteger(phase) || !node || node.length !== 20) continue;
    out.push({ phase, node });
  }
  return out;
}

/** Phase of every changeset, computed once from the roots in one forward pass. */
export class PhaseCache {
  private phases: Uint8Array | undefined;

  constructor(
    private readonly changelog: Changelog,
    private readonly roots: readonly { phase: number; node: Node }[],
  ) {}

  static load(repo: { changelog: Changelog; readStoreFile(name: string): Uint8Array | undefined }): PhaseCache {
    return new PhaseCache(repo.changelog, parsePhaseRoots(repo.readStoreFile('phaseroots')));
  }

  phase(rev: Rev): number {
    if (rev === NULL_REV) return PUBLIC;
    return this.table()[rev] ?? PUBLIC;
  }

  phaseName(rev: Rev): string {
    return phaseName(this.phase(rev));
  }

  private table(): Uint8Array {
    if (this.phases) return this.phases;
    const cl = this.changelog;
    const n = cl.length;
    const t = new Uint8Array(n);
    let min = n;
    for (const { phase, node } of this.roots) {
      if (phase === PUBLIC) continue;
      const r = cl.findRev(node);
      if (r === undefined) continue;
      if (phase > t[r]!) t[r] = phase;
      if (r < min) min = r;
    }
    for (let r = min; r < n; r++) {
      const [p1, p2] = cl.parentRevs(r);
      let p = t[r]!;
      if (p1 !== NULL_REV && t[p1]! > p) p = t[p1]!;
      if (p2 !== NULL_REV && t[p2]! > p) p = t[p2]!;
      t[r] = p;
    }
    this.phases = t;
    return t;
  }
}
