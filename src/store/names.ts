// Names that resolve to revisions: bookmarks, tags (`.hgtags` of every head,
// `.hg/localtags`, and `tip`), and branches (with their heads).
import { compareBytes, decodeUtf8, fromHex, indexOfByte, latin1, utf8 } from '../core/bytes.js';
import { NULL_REV, type Node, type Rev, isNullNode, nodeKey } from '../core/node.js';
import { branchOf as changesetBranch, isClosed } from '../changelog/changeset.js';
import type { Repository } from './repo.js';

export interface BranchInfo {
  /** Heads of the branch, ascending. */
  heads: Rev[];
  /** Heads that are closed (`close` extra). */
  closed: Set<Rev>;
}

function parseNodeNameLines(data: Uint8Array | undefined, cb: (node: Node, name: string) => void): void {
  if (!data) return;
  let s = 0;
  while (s < data.length) {
    let e = indexOfByte(data, 10, s);
    if (e < 0) e = data.length;
    let line = data.subarray(s, e);
    if (line.length && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
    const sp = indexOfByte(line, 0x20);
    if (sp > 0) {
      const node = fromHex(latin1(line, 0, sp));
      const name = decodeUtf8(line.subarray(sp + 1)).trim();
      if (node && node.length === 20) cb(node, name);
    }
    s = e + 1;
  }
}

export class RepoNames {
  private branchInfo: Map<string, BranchInfo> | undefined;
  private branchByRev: string[] | undefined;
  private tagMap: Map<string, Node> | undefined;
  private bookmarkMap: Map<string, Node> | undefined;

  constructor(private readonly repo: Repository) {}

  branchOf(rev: Rev): string {
    if (rev === NULL_REV) return 'default';
    const cached = this.branchByRev?.[rev];
    if (cached !== undefined) return cached;
    return decodeUtf8(changesetBranch(this.repo.changelog.read(rev)));
  }

  /** Branch name → heads, computed from the whole changelog (hg's branchmap). */
  branches(): Map<string, BranchInfo> {
    if (this.branchInfo) return this.branchInfo;
    const cl = this.repo.changelog;
    const n = cl.length;
    const byRev = new Array<string>(n);
    const closedRev = new Uint8Array(n);
    const hasChildInBranch = new Uint8Array(n);
    const rbc = this.revBranchCache();
    for (let r = 0; r < n; r++) {
      const cached = rbc?.(r);
      if (cached) {
        byRev[r] = cached.branch;
        if (cached.closed) closedRev[r] = 1;
      } else {
        const cs = cl.read(r);
        byRev[r] = decodeUtf8(changesetBranch(cs));
        if (isClosed(cs)) closedRev[r] = 1;
      }
      for (const p of cl.parentRevs(r)) if (p !== NULL_REV && byRev[p] === byRev[r]) hasChildInBranch[p] = 1;
    }
    const info = new Map<string, BranchInfo>();
    for (let r = 0; r < n; r++) {
      const b = byRev[r]!;
      let bi = info.get(b);
      if (!bi) info.set(b, (bi = { heads: [], closed: new Set() }));
      if (!hasChildInBranch[r]) {
        bi.heads.push(r);
        if (closedRev[r]) bi.closed.add(r);
      }
    }
    this.branchByRev = byRev;
    this.branchInfo = info;
    return info;
  }

  /**
   * hg's rev-branch cache (`.hg/cache/rbc-names-v1`: branch names separated by
   * NUL; `rbc-revs-v1`: per revision the first 4 bytes of its node and a u32
   * BE name index whose top bit marks a closing changeset). A record counts
   * only when its node prefix matches the changelog, so a stale or short cache
   * just sends the remaining revisions to the changelog. Saves decompressing
   * every changeset (a first commit of 100,000 files is megabytes).
   */
  private revBranchCache(): ((rev: Rev) => { branch: string; closed: boolean } | undefined) | undefined {
    const namesData = this.repo.readHgFile('cache/rbc-names-v1');
    const revs = this.repo.readHgFile('cache/rbc-revs-v1');
    if (!namesData || !revs || revs.length < 8) return undefined;
    const names: string[] = [];
    let s = 0;
    for (;;) {
      const z = indexOfByte(namesData, 0, s);
      names.push(decodeUtf8(namesData.subarray(s, z < 0 ? namesData.length : z)));
      if (z < 0) break;
      s = z + 1;
    }
    const dv = new DataView(revs.buffer, revs.byteOffset, revs.length);
    const cl = this.repo.changelog;
    return (rev) => {
      const off = rev * 8;
      if (off + 8 > revs.length) return undefined;
      if ((revs[off]! | revs[off + 1]! | revs[off + 2]! | revs[off + 3]!) === 0) return undefined; // not filled in (as hg)
      const node = cl.node(rev);
      for (let i = 0; i < 4; i++) if (revs[off + i] !== node[i]) return undefined;
      const v = dv.getUint32(off + 4);
      const name = names[v & 0x7fffffff];
      return name === undefined ? undefined : { branch: name, closed: (v & 0x80000000) !== 0 };
    };
  }

  /** hg's branchtip: the tipmost open head, or the tipmost head when all are closed. */
  branchTip(name: string): Rev | undefined {
    const bi = this.branches().get(name);
    if (!bi) return undefined;
    for (let i = bi.heads.length - 1; i >= 0; i--) if (!bi.closed.has(bi.heads[i]!)) return bi.heads[i];
    return bi.heads[bi.heads.length - 1];
  }

  bookmarks(): Map<string, Node> {
    if (!this.bookmarkMap) {
      const m = new Map<string, Node>();
      const data = this.repo.requirements.has('bookmarksinstore')
        ? this.repo.readStoreFile('bookmarks')
        : this.repo.readHgFile('bookmarks');
      parseNodeNameLines(data, (node, name) => {
        if (this.repo.changelog.findRev(node) !== undefined) m.set(name, node);
      });
      this.bookmarkMap = m;
    }
    return this.bookmarkMap;
  }

  /** Topological heads, newest first (hg's repo.heads()). */
  heads(): Rev[] {
    const cl = this.repo.changelog;
    const n = cl.length;
    const isParent = new Uint8Array(n);
    for (let r = 0; r < n; r++) for (const p of cl.parentRevs(r)) if (p !== NULL_REV) isParent[p] = 1;
    const out: Rev[] = [];
    for (let r = n - 1; r >= 0; r--) if (!isParent[r]) out.push(r);
    return out;
  }

  /** Tag name → node, as hg's repo.tags(): global tags from every head, local tags, and `tip`. */
  tags(): Map<string, Node> {
    if (this.tagMap) return this.tagMap;
    type Entry = { node: Node; hist: Node[] };
    const all = new Map<string, Entry>();
    const readFile = (data: Uint8Array | undefined): Map<string, Entry> => {
      const hist = new Map<string, Node[]>();
      parseNodeNameLines(data, (node, name) => {
        let h = hist.get(name);
        if (!h) hist.set(name, (h = []));
        h.push(node);
      });
      const out = new Map<string, Entry>();
      for (const [name, h] of hist) out.set(name, { node: h[h.length - 1]!, hist: h.slice(0, -1) });
      return out;
    };
    const merge = (file: Map<string, Entry>): void => {
      for (const [name, a] of file) {
        const b = all.get(name);
        if (!b) {
          all.set(name, a);
          continue;
        }
        const has = (list: Node[], n: Node): boolean => list.some((x) => nodeKey(x) === nodeKey(n));
        let anode = a.node;
        if (nodeKey(b.node) !== nodeKey(anode) && has(b.hist, anode) && (!has(a.hist, b.node) || b.hist.length > a.hist.length)) {
          anode = b.node;
        }
        const ahist = [...a.hist, ...b.hist.filter((n) => !has(a.hist, n))];
        all.set(name, { node: anode, hist: ahist });
      }
    };
    const cl = this.repo.changelog;
    const hgtags = utf8('.hgtags');
    const seen = new Set<string>();
    const fl = this.repo.file(hgtags);
    if (fl.length > 0) {
      // (only now: like hg, no manifest is read when no tag was ever committed)
      const ml = this.repo.manifestLog;
      for (const head of this.heads().reverse()) {
        const entry = ml.get(cl.read(head).manifest).find(hgtags);
        if (!entry) continue;
        const k = nodeKey(entry.node);
        if (seen.has(k)) continue;
        seen.add(k);
        merge(readFile(fl.read(fl.revlog.rev(entry.node.subarray(0, 20)))));
      }
    }
    merge(readFile(this.repo.readHgFile('localtags')));
    const tags = new Map<string, Node>();
    for (const [name, e] of all) {
      if (isNullNode(e.node)) continue;
      if (cl.findRev(e.node) === undefined) continue;
      tags.set(name, e.node);
    }
    if (cl.length > 0) tags.set('tip', cl.node(cl.length - 1));
    else tags.set('tip', new Uint8Array(20));
    this.tagMap = tags;
    return tags;
  }

  /** Sorted tag names per node (hg's nodetags). */
  nodeTags(node: Node): string[] {
    const out: string[] = [];
    const k = nodeKey(node);
    for (const [name, n] of this.tags()) if (nodeKey(n) === k) out.push(name);
    return out.sort(compareUtf8);
  }

  nodeBookmarks(node: Node): string[] {
    const out: string[] = [];
    const k = nodeKey(node);
    for (const [name, n] of this.bookmarks()) if (nodeKey(n) === k) out.push(name);
    return out.sort(compareUtf8);
  }

  /** Resolves a name in hg's namespace order: bookmarks, tags, branches. */
  lookup(name: string): Rev | undefined {
    const cl = this.repo.changelog;
    const bm = this.bookmarks().get(name);
    if (bm) return cl.findRev(bm);
    const tag = this.tags().get(name);
    if (tag) return cl.findRev(tag);
    return this.branchTip(name);
  }
}

/** Byte order of the UTF-8 encodings (what Python's sorted() gives on bytes). */
export function compareUtf8(a: string, b: string): number {
  return compareBytes(utf8(a), utf8(b));
}
