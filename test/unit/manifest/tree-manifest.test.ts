// TreeManifest against the flat LazyManifest: random edits must give the same
// flat view, the same diff, and a written tree must read back identically and
// skip unchanged directories by node.
import { describe, expect, it } from 'vitest';
import { compareBytes, fromLatin1, latin1 } from '../../../src/core/bytes.js';
import { NULL_NODE, NULL_REV, type Node, type Rev, nodeKey } from '../../../src/core/node.js';
import { hashRevision } from '../../../src/core/sha1.js';
import { LazyManifest } from '../../../src/manifest/lazy-manifest.js';
import type { ManifestStorage } from '../../../src/manifest/manifest-storage.js';
import { TreeDirReader, TreeManifest, treeStats } from '../../../src/manifest/tree-manifest.js';
import { writeTreeManifest } from '../../../src/manifest/tree-write.js';

/** An in-memory directory-manifest store (one list of revisions per directory). */
class MemStorage implements ManifestStorage {
  private readonly texts: Uint8Array[] = [];
  private readonly nodes: Node[] = [];
  private readonly parents: [Rev, Rev][] = [];
  private readonly byNode = new Map<string, Rev>();
  private readonly dirs: Map<string, MemStorage>;

  constructor(
    readonly tree = '',
    dirs?: Map<string, MemStorage>,
  ) {
    this.dirs = dirs ?? new Map();
  }
  get length(): number {
    return this.texts.length;
  }
  add(text: Uint8Array, p1: Node, p2: Node): Node {
    const node = hashRevision(text, p1, p2);
    if (!this.byNode.has(nodeKey(node))) {
      this.byNode.set(nodeKey(node), this.texts.length);
      this.texts.push(text.slice());
      this.nodes.push(node);
      this.parents.push([this.findRev(p1) ?? NULL_REV, this.findRev(p2) ?? NULL_REV]);
    }
    return node;
  }
  rev(node: Node): Rev {
    const r = this.findRev(node);
    if (r === undefined) throw new Error(`no node ${nodeKey(node)} in '${this.tree}'`);
    return r;
  }
  findRev(node: Node): Rev | undefined {
    return this.byNode.get(nodeKey(node));
  }
  node(rev: Rev): Node {
    return rev === NULL_REV ? NULL_NODE : this.nodes[rev]!;
  }
  parentRevs(rev: Rev): [Rev, Rev] {
    return this.parents[rev]!;
  }
  linkRev(rev: Rev): Rev {
    return rev;
  }
  revision(rev: Rev): Uint8Array {
    return this.texts[rev]!;
  }
  readDeltaText(rev: Rev): Uint8Array {
    return this.texts[rev]!;
  }
  deltaParent(): Rev {
    return NULL_REV;
  }
  dirStorage(dir: Uint8Array): MemStorage {
    const k = latin1(dir);
    let st = this.dirs.get(k);
    if (!st) {
      st = new MemStorage(k, this.dirs);
      this.dirs.set(k, st);
    }
    return st;
  }
  get revisionCount(): number {
    let n = this.texts.length;
    for (const d of this.dirs.values()) n += d.texts.length;
    return n;
  }
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PARTS = ['a', 'b', 'a-b', 'a.b', 'a b', 'a0', 'ab', 'z', 'a!'];

function randomPath(r: () => number): string {
  const depth = 1 + Math.floor(r() * 4);
  const out: string[] = [];
  for (let i = 0; i < depth; i++) out.push(PARTS[Math.floor(r() * PARTS.length)]!);
  return out.join('/');
}

function randomNode(r: () => number): Uint8Array {
  const n = new Uint8Array(20);
  for (let i = 0; i < 20; i++) n[i] = Math.floor(r() * 256);
  return n;
}

/** No path may be both a file and a directory. */
function conflicts(files: Set<string>, p: string): boolean {
  if ([...files].some((f) => f.startsWith(p + '/'))) return true;
  const parts = p.split('/');
  for (let i = 1; i < parts.length; i++) if (files.has(parts.slice(0, i).join('/'))) return true;
  return false;
}

function edit(r: () => number, flat: LazyManifest, tree: TreeManifest, files: Set<string>, n: number): void {
  for (let k = 0; k < n; k++) {
    const del = files.size > 0 && r() < 0.35;
    if (del) {
      const list = [...files];
      const p = list[Math.floor(r() * list.length)]!;
      files.delete(p);
      flat.delete(fromLatin1(p));
      tree.delete(fromLatin1(p));
    } else {
      const p = randomPath(r);
      if (!files.has(p) && conflicts(files, p)) continue;
      files.add(p);
      const node = randomNode(r);
      const flags = ['', 'x', 'l'][Math.floor(r() * 3)]!;
      flat.set(fromLatin1(p), node, flags);
      tree.set(fromLatin1(p), node, flags);
    }
  }
}

function diffKeys(d: { path: Uint8Array; left: unknown; right: unknown }[]): string[] {
  return d.map((e) => `${latin1(e.path)} ${JSON.stringify(e.left)} ${JSON.stringify(e.right)}`);
}

describe('TreeManifest', () => {
  it('gives the same flat text, lookups and diffs as the flat manifest under random edits', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed);
      const files = new Set<string>();
      const flat = LazyManifest.empty();
      const tree = TreeManifest.empty();
      edit(r, flat, tree, files, 60);
      expect(latin1(tree.text())).toBe(latin1(flat.text()));
      const flat2 = flat.copy();
      const tree2 = tree.copy();
      edit(r, flat2, tree2, files, 25);
      expect(latin1(tree2.text())).toBe(latin1(flat2.text()));
      // the copy did not change the original
      expect(latin1(tree.text())).toBe(latin1(flat.text()));
      expect(diffKeys(tree.diff(tree2))).toEqual(diffKeys(flat.diff(flat2)));
      for (const p of [...files].slice(0, 10)) {
        expect(tree2.get(fromLatin1(p))).toEqual(flat2.get(fromLatin1(p)));
        const dir = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
        expect(tree2.hasDir(fromLatin1(dir))).toBe(flat2.hasDir(fromLatin1(dir)));
      }
      expect(tree2.get(fromLatin1('a'))).toEqual(flat2.get(fromLatin1('a')));
      expect(tree2.size).toBe(flat2.size);
    }
  });

  it('writes directories bottom-up, reads them back lazily and diffs by node', () => {
    for (let seed = 100; seed < 120; seed++) {
      const r = rng(seed);
      const root = new MemStorage();
      const reader = new TreeDirReader(root);
      const files = new Set<string>();
      const flat = LazyManifest.empty();
      const t0 = TreeManifest.empty();
      edit(r, flat, t0, files, 80);
      const write = (m: TreeManifest, p1: TreeManifest, p2: TreeManifest): Node =>
        writeTreeManifest(m, p1, p2, (dir) => (text, a, b) => (dir.length ? root.dirStorage(dir) : root).add(text, a, b));
      const n0 = write(t0, TreeManifest.empty(), TreeManifest.empty());
      const back0 = TreeManifest.load(reader, n0);
      expect(latin1(back0.text())).toBe(latin1(flat.text()));

      // one more revision with a few edits: only the edited directories get revisions
      const flat1 = flat.copy();
      const t1 = TreeManifest.load(reader, n0).copy();
      const before = root.revisionCount;
      edit(r, flat1, t1, files, 3);
      const n1 = write(t1, TreeManifest.load(reader, n0), TreeManifest.empty());
      const written = root.revisionCount - before;
      const changed = new Set<string>();
      for (const e of flat.diff(flat1)) {
        const p = latin1(e.path);
        const parts = p.split('/');
        for (let i = 0; i < parts.length; i++) changed.add(parts.slice(0, i).join('/'));
      }
      expect(written).toBeLessThanOrEqual(changed.size + 1);

      const a = TreeManifest.load(reader, n0);
      const b = TreeManifest.load(reader, n1);
      const readsBefore = treeStats.dirsRead;
      const d = a.diff(b);
      expect(diffKeys(d)).toEqual(diffKeys(flat.diff(flat1)));
      // a diff reads at most the changed directories on each side (cached texts are not re-read)
      expect(treeStats.dirsRead - readsBefore).toBeLessThanOrEqual(2 * changed.size + 2);
      expect(latin1(b.text())).toBe(latin1(flat1.text()));

      // matches() with a prefix only yields paths under it, same as the flat manifest
      const prefix = fromLatin1('a/');
      const m = Object.assign((p: Uint8Array) => p[0] === 0x61 && p[1] === 0x2f, { prefixes: [prefix] });
      expect([...TreeManifest.load(reader, n1).matches(m).keys()].map((k) => latin1(k))).toEqual(
        [...flat1.matches(m).keys()].map((k) => latin1(k)),
      );
    }
  });

  it('sorts a directory after names that extend it with bytes below "/"', () => {
    const t = TreeManifest.empty();
    const n = new Uint8Array(20).fill(1);
    for (const p of ['a/x', 'a-b', 'a.c', 'a b/y', 'a0', 'a!/z']) t.set(fromLatin1(p), n, '');
    const flatKeys = [...t.keys()].map((k) => latin1(k));
    expect(flatKeys).toEqual([...flatKeys].sort((x, y) => compareBytes(fromLatin1(x), fromLatin1(y))));
    expect(flatKeys).toEqual(['a b/y', 'a!/z', 'a-b', 'a.c', 'a/x', 'a0']);
  });

  it('drops emptied directories and refuses unknown paths', () => {
    const t = TreeManifest.empty();
    const n = new Uint8Array(20).fill(2);
    t.set(fromLatin1('d/e/f'), n, 'x');
    t.set(fromLatin1('d/g'), n, '');
    t.delete(fromLatin1('d/e/f'));
    expect(t.hasDir(fromLatin1('d/e'))).toBe(false);
    expect(t.hasDir(fromLatin1('d'))).toBe(true);
    expect(latin1(t.root.dirText())).toBe(`d\0${'0'.repeat(40)}t\n`);
    expect(() => t.delete(fromLatin1('d/nothere'))).toThrow(/nonexistent/);
    expect(() => t.delete(fromLatin1('d'))).toThrow(/nonexistent/);
  });
});
