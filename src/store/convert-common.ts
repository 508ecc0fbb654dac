// Pieces shared by the manifest-format conversions (convert-tree.ts,
// convert-flat-hash.ts): the `.hg/shamap` file, bookmark and phase-root
// files with nodes mapped, copying file revisions between repositories.
import { AbortError, StorageError } from '../core/errors.js';
import { bytesEqual, compareBytes, concatBytes, fromHex, latin1, toHex, utf8 } from '../core/bytes.js';
import { NULL_NODE, NULL_REV, type Node, type Rev, isNullNode, nodeKey } from '../core/node.js';
import type { Repository } from './repo.js';
import type { RepoWriters } from './repo-writers.js';
import { parsePhaseRoots } from './phases.js';
import type { Transaction } from './transaction.js';

const NL = 0x0a;

// ---------------------------------------------------------------------------
// shamap: hg convert's revision map, `<source hex> <destination hex>\n` lines

export interface ShaMap {
  /** source node key -> destination node */
  readonly map: Map<string, Node>;
  /** Bytes of complete lines (a torn last line, from a kill mid-append, is ignored). */
  readonly validLength: number;
  readonly fileLength: number;
}

export function parseShaMap(data: Uint8Array | undefined): ShaMap {
  const map = new Map<string, Node>();
  if (!data) return { map, validLength: 0, fileLength: 0 };
  let s = 0;
  let valid = 0;
  while (s < data.length) {
    const nl = data.indexOf(NL, s);
    if (nl < 0) break; // torn line
    const line = latin1(data, s, nl);
    s = nl + 1;
    valid = s;
    if (line.length === 0) continue;
    const m = /^([0-9a-f]{40}) ([0-9a-f]{40})$/.exec(line);
    if (!m) throw new AbortError(`malformed shamap line: ${line}`);
    map.set(nodeKey(fromHex(m[1]!)!), fromHex(m[2]!)!);
  }
  return { map, validLength: valid, fileLength: data.length };
}

export function encodeShaMapLines(pairs: readonly [Node, Node][]): Uint8Array {
  return utf8(pairs.map(([a, b]) => `${toHex(a)} ${toHex(b)}\n`).join(''));
}

// ---------------------------------------------------------------------------
// Bookmarks (`<hex> <name>\n`) and phase roots

export function parseBookmarkFile(data: Uint8Array | undefined): [name: Uint8Array, node: Node][] {
  const out: [Uint8Array, Node][] = [];
  if (!data) return out;
  let s = 0;
  while (s < data.length) {
    let e = data.indexOf(NL, s);
    if (e < 0) e = data.length;
    let line = data.subarray(s, e);
    s = e + 1;
    if (line.length && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    if (line.length < 42 || line[40] !== 0x20) continue;
    const node = fromHex(latin1(line, 0, 40));
    if (!node || node.length !== 20) continue;
    out.push([line.subarray(41), node]);
  }
  return out;
}

export function encodeBookmarkFile(marks: readonly [Uint8Array, Node][]): Uint8Array {
  const sorted = [...marks].sort((a, b) => compareBytes(a[0], b[0]));
  return concatBytes(sorted.flatMap(([name, node]) => [utf8(toHex(node) + ' '), name, Uint8Array.of(NL)]));
}

export function readBookmarks(repo: Repository): [Uint8Array, Node][] {
  return parseBookmarkFile(repo.requirements.has('bookmarksinstore') ? repo.readStoreFile('bookmarks') : repo.readHgFile('bookmarks'));
}

const PHASE_ORDER = [0, 1, 2, 32, 96];

/** phaseroots text for `roots` (hg's order: by phase, nodes sorted). */
export function encodePhaseRoots(roots: readonly { phase: number; node: Node }[]): Uint8Array {
  const byPhase = new Map<number, Map<string, Node>>();
  for (const r of roots) {
    let m = byPhase.get(r.phase);
    if (!m) byPhase.set(r.phase, (m = new Map()));
    m.set(nodeKey(r.node), r.node);
  }
  const order = [...PHASE_ORDER, ...[...byPhase.keys()].filter((p) => !PHASE_ORDER.includes(p)).sort((a, b) => a - b)];
  const lines: string[] = [];
  for (const p of order) {
    const m = byPhase.get(p);
    if (!m) continue;
    for (const n of [...m.values()].sort(compareBytes)) lines.push(`${p} ${toHex(n)}\n`);
  }
  return utf8(lines.join(''));
}

/** The source's non-public phase roots whose changesets `map` knows, mapped. */
export function mappedPhaseRoots(src: Repository, map: (node: Node) => Node | undefined): { phase: number; node: Node }[] {
  const out: { phase: number; node: Node }[] = [];
  for (const r of parsePhaseRoots(src.readStoreFile('phaseroots'))) {
    if (r.phase === 0 || src.changelog.findRev(r.node) === undefined) continue;
    const n = map(r.node);
    if (n) out.push({ phase: r.phase, node: n });
  }
  return out;
}

/**
 * Copies file revision `node` of `path` from `src` to `dst` (its parents
 * first when missing): same raw text, parents and flags, hence the same node.
 * `linkRev(srcLinkRev)` gives the destination changeset rev.
 */
export function copyFileRevision(
  src: Repository,
  writers: RepoWriters,
  tr: Transaction,
  path: Uint8Array,
  node: Node,
  linkRev: (srcLinkRev: Rev) => Rev,
): void {
  const dstLog = writers.repo.file(path).revlog;
  if (isNullNode(node) || dstLog.findRev(node) !== undefined) return;
  const srcLog = src.file(path).revlog;
  const w = writers.filelog(path);
  // parents first (iteratively: file histories can be long)
  const todo: Node[] = [node];
  const order: Rev[] = [];
  const seen = new Set<string>();
  while (todo.length) {
    const n = todo.pop()!;
    const k = nodeKey(n);
    if (seen.has(k) || isNullNode(n) || dstLog.findRev(n) !== undefined) continue;
    seen.add(k);
    const r = srcLog.findRev(n);
    if (r === undefined) throw new StorageError(`data/${latin1(path)}@${toHex(n)}: no node in the source repository`);
    order.push(r);
    for (const p of srcLog.parentRevs(r)) if (p !== NULL_REV) todo.push(srcLog.node(p));
  }
  order.sort((a, b) => a - b);
  for (const r of order) {
    const [p1, p2] = srcLog.parents(r);
    const raw = srcLog.rawText(r);
    // reuse the source's delta when its base is already there (hg's lazy delta)
    let cachedDelta: { base: Rev; delta: Uint8Array } | undefined;
    const dp = srcLog.deltaParent(r);
    if (dp !== NULL_REV) {
      const base = dstLog.findRev(srcLog.node(dp));
      if (base !== undefined) cachedDelta = { base, delta: srcLog.chunk(r) };
    }
    const added = w.addRevision(tr, raw, linkRev(srcLog.linkRev(r)), p1 ?? NULL_NODE, p2 ?? NULL_NODE, {
      flags: srcLog.flags(r),
      cachedDelta,
    });
    if (!bytesEqual(added.node, srcLog.node(r))) {
      throw new StorageError(`data/${latin1(path)}: revision ${r} changed node while copied`);
    }
  }
}
