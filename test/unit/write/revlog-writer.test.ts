// The revlog writer against Mercurial: the same revisions written by hg's own
// revlog code and by hgkit must give byte-identical files when nothing is
// compressed (so the delta choices, chain shapes, headers, offsets and the
// inline-to-split conversion are hg's), and with zstd/zlib a revlog that hg
// reads back, hash-checked, with the same nodes and a size close to hg's.

import { describe, it, expect, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NULL_NODE, type Node } from '../../../src/core/node.js';
import { toHex } from '../../../src/core/bytes.js';
import { bdiff } from '../../../src/revlog/bdiff.js';
import { decompressChunk } from '../../../src/compress/engine.js';
import type { RevlogKind, RevlogWriter } from '../../../src/revlog/revlog-writer.js';
import { openRepoTransaction, Transaction } from '../../../src/store/transaction.js';
import {
  fileHistory,
  hgDump,
  hgInit,
  hgTools,
  openWriter,
  repoTarget,
  storeFile,
  type RevSpec,
} from './helpers.js';
import { removeTempDirs } from '../../helpers/hg.js';

afterAll(() => removeTempDirs());

const NONE = ['format.revlog-compression=none'];
const CONFIGS: Record<string, string[]> = {
  'generaldelta + sparse-revlog': NONE,
  'generaldelta without sparse-revlog': [...NONE, 'format.sparse-revlog=no'],
  'no generaldelta': [...NONE, 'format.sparse-revlog=no', 'format.usegeneraldelta=no'],
};

function hgWrite(root: string, kind: RevlogKind, radix: string, revs: readonly RevSpec[]): void {
  hgTools(['write', root, kind, radix], revs.map((r) => [toHex(r.text), r.p1, r.p2, r.link]));
}

function withTransaction<T>(root: string, fn: (tr: Transaction) => T): T {
  const tr = openRepoTransaction(repoTarget(root), 'test');
  try {
    const res = fn(tr);
    tr.close();
    return res;
  } finally {
    tr.release();
  }
}

function ourWrite(w: RevlogWriter, tr: Transaction, revs: readonly RevSpec[], nodes: Node[] = []): Node[] {
  for (const r of revs) {
    const p1 = r.p1 < 0 ? NULL_NODE : nodes[r.p1]!;
    const p2 = r.p2 < 0 ? NULL_NODE : nodes[r.p2]!;
    nodes.push(w.addRevision(tr, r.text, r.link, p1, p2).node);
  }
  return nodes;
}

function expectSameFiles(a: string, b: string, radix: string): void {
  for (const ext of ['.i', '.d']) {
    const fa = storeFile(a, radix + ext);
    const fb = storeFile(b, radix + ext);
    expect(fb === undefined, `${radix}${ext} existence`).toBe(fa === undefined);
    if (fa && fb) {
      // locate the first difference for a readable failure
      let i = 0;
      while (i < fa.length && fa[i] === fb[i]) i++;
      expect({ file: radix + ext, firstDiff: i === fa.length && fa.length === fb.length ? -1 : i }).toEqual({ file: radix + ext, firstDiff: -1 });
    }
  }
}

describe('revlog writer: byte-identical to hg without compression', () => {
  for (const [name, config] of Object.entries(CONFIGS)) {
    it(`${name}: filelog with branches and merges, inline then split`, () => {
      const revs = fileHistory(700, 11, { lineLength: 60, edits: 8 });
      const a = hgInit(config);
      const b = hgInit(config);
      hgWrite(a, 'filelog', 'data/foo', revs);
      withTransaction(b, (tr) => ourWrite(openWriter(b, 'data/foo', 'filelog'), tr, revs));
      expect(storeFile(a, 'data/foo.d')).toBeDefined(); // crossed 128 KiB
      expectSameFiles(a, b, 'data/foo');
      const [d] = hgDump(b, 'data/foo');
      const kinds = { full: 0, intermediate: 0, delta: 0 };
      d!.revs.forEach((r, i) => kinds[r.base === i ? 'full' : r.snapshot ? 'intermediate' : 'delta']++);
      // sparse-revlog builds intermediate snapshots on this history (hg's choices, as the bytes show)
      expect(kinds.intermediate > 0).toBe(name.includes('sparse-revlog') && !name.includes('without'));
      expect(kinds.delta).toBeGreaterThan(500);
    });
  }

  it('manifest (compression upper bound), changelog (full texts, no generaldelta)', () => {
    const revs = fileHistory(300, 12, { lineLength: 50, edits: 5, branchy: 0.1 });
    const a = hgInit(NONE);
    const b = hgInit(NONE);
    hgWrite(a, 'manifest', '00manifest', revs);
    hgWrite(a, 'changelog', '00changelog', revs);
    withTransaction(b, (tr) => {
      ourWrite(openWriter(b, '00manifest', 'manifest'), tr, revs);
      ourWrite(openWriter(b, '00changelog', 'changelog'), tr, revs);
    });
    expectSameFiles(a, b, '00manifest');
    expectSameFiles(a, b, '00changelog');
    const [cl] = hgDump(b, '00changelog');
    expect(cl!.generaldelta).toBe(false);
    expect(cl!.revs.every((r, i) => r.base === i)).toBe(true);
  });

  it('long linear chains reach maxchainlen (sparse-revlog: 1000)', () => {
    // a large text with one small change per revision: the chain-length limit comes before the size limit
    const NLINES = 3000;
    const lines: string[] = [];
    for (let i = 0; i < NLINES; i++) lines.push(`line ${i} xxxxx\n`);
    const a = hgInit(NONE);
    const b = hgInit(NONE);
    hgTools(['write', a, 'filelog', 'data/long'], { lines: NLINES, revs: 1100 });
    withTransaction(b, (tr) => {
      const w = openWriter(b, 'data/long', 'filelog');
      let p1: Node = NULL_NODE;
      for (let i = 0; i < 1100; i++) {
        lines[(i * 7919) % NLINES] = `changed ${i}\n`;
        p1 = w.addRevision(tr, Buffer.from(lines.join('')), i, p1, NULL_NODE).node;
      }
    });
    expectSameFiles(a, b, 'data/long');
    const [d] = hgDump(b, 'data/long');
    expect(Math.max(...d!.revs.map((r) => r.chainlen))).toBe(1000);
  });

  it('given deltas (the manifest fast delta) are tried first and reused, as hg does', () => {
    // deltas against p1 that are valid but not bdiff's: one hunk from the first to the last changed byte
    const revs = fileHistory(250, 15, { lineLength: 50, edits: 3, branchy: 0.15 });
    const coarse = (a: Uint8Array, b: Uint8Array): Uint8Array => {
      let s = 0;
      while (s < a.length && s < b.length && a[s] === b[s]) s++;
      let e = 0;
      while (e < a.length - s && e < b.length - s && a[a.length - 1 - e] === b[b.length - 1 - e]) e++;
      const d = Buffer.alloc(12 + b.length - s - e);
      d.writeUInt32BE(s, 0);
      d.writeUInt32BE(a.length - e, 4);
      d.writeUInt32BE(b.length - s - e, 8);
      d.set(b.subarray(s, b.length - e), 12);
      return d;
    };
    const cached = revs.map((r) => (r.p1 >= 0 ? { base: r.p1, delta: coarse(revs[r.p1]!.text, r.text) } : undefined));
    for (const [name, config] of [['sparse', NONE], ['no generaldelta', CONFIGS['no generaldelta']!]] as const) {
      const a = hgInit(config);
      const b = hgInit(config);
      hgTools(
        ['write', a, 'manifest', '00manifest'],
        revs.map((r, i) => (cached[i] ? [toHex(r.text), r.p1, r.p2, r.link, cached[i]!.base, toHex(cached[i]!.delta)] : [toHex(r.text), r.p1, r.p2, r.link])),
      );
      withTransaction(b, (tr) => {
        const w = openWriter(b, '00manifest', 'manifest');
        const nodes: Node[] = [];
        revs.forEach((r, i) => {
          const p1 = r.p1 < 0 ? NULL_NODE : nodes[r.p1]!;
          const p2 = r.p2 < 0 ? NULL_NODE : nodes[r.p2]!;
          nodes.push(w.addRevision(tr, r.text, r.link, p1, p2, { cachedDelta: cached[i] }).node);
        });
      });
      expect(name).toBeTruthy();
      expectSameFiles(a, b, '00manifest');
    }
  });

  it('appends to a revlog hg wrote, and hg appends to one hgkit wrote', () => {
    const revs = fileHistory(400, 14, { lineLength: 80 });
    const ref = hgInit(NONE);
    hgWrite(ref, 'filelog', 'data/x', revs);
    // hg, then hgkit, then hg again
    const mixed = hgInit(NONE);
    hgWrite(mixed, 'filelog', 'data/x', revs.slice(0, 100));
    const nodes = hgDump(mixed, 'data/x')[0]!.revs.map((r) => Buffer.from(r.node, 'hex') as Node);
    withTransaction(mixed, (tr) => ourWrite(openWriter(mixed, 'data/x', 'filelog'), tr, revs.slice(100, 250), nodes));
    hgWrite(mixed, 'filelog', 'data/x', revs.slice(250));
    expectSameFiles(ref, mixed, 'data/x');
  });
});

describe('revlog writer: compressed revlogs read back by hg', () => {
  for (const [name, config] of [
    ['zstd, generaldelta + sparse-revlog', []],
    ['zlib, generaldelta + sparse-revlog', ['format.revlog-compression=zlib']],
    ['zlib, no generaldelta', ['format.revlog-compression=zlib', 'format.sparse-revlog=no', 'format.usegeneraldelta=no']],
  ] as Array<[string, string[]]>) {
    it(name, () => {
      const revs = fileHistory(500, 21, { lineLength: 70, edits: 6 });
      const a = hgInit(config);
      const b = hgInit(config);
      hgWrite(a, 'filelog', 'data/foo', revs);
      withTransaction(b, (tr) => ourWrite(openWriter(b, 'data/foo', 'filelog'), tr, revs));
      const [ha] = hgDump(a, 'data/foo');
      const [hb] = hgDump(b, 'data/foo'); // hg reads every revision, checking its hash
      expect(hb!.dd).toBe(0);
      expect(hb!.di).toBe(0);
      expect(hb!.inline).toBe(ha!.inline);
      expect(hb!.generaldelta).toBe(ha!.generaldelta);
      const strip = (r: (typeof hb.revs)[number]): unknown => [r.node, r.p1, r.p2, r.link, r.ulen, r.sha];
      expect(hb!.revs.map(strip)).toEqual(ha!.revs.map(strip));
      // sizes and chain shapes close to hg's (compressors differ by a few bytes)
      const size = (d: typeof ha): number => d!.revs.reduce((s, r) => s + r.clen, 0);
      expect(Math.abs(size(hb) - size(ha)) / size(ha)).toBeLessThan(0.05);
      if (ha!.generaldelta) {
        // (without sparse-revlog, chains end at a read-span limit that compressed sizes shift)
        const sameBase = hb!.revs.filter((r, i) => r.base === ha!.revs[i]!.base).length;
        expect(sameBase / revs.length).toBeGreaterThan(0.9);
      }
      // every chunk uses the repository's engine or is stored raw
      const engine = config.includes('format.revlog-compression=zlib') ? 0x78 : 0x28;
      const w = openWriter(b, 'data/foo', 'filelog');
      for (let r = 0; r < w.revlog.length; r++) {
        const c = w.revlog.rawChunk(r);
        if (c.length > 0) expect([engine, 0x75, 0x00]).toContain(c[0]);
      }
    });
  }
});

describe('revlog writer: behaviour', () => {
  it('keeps the reader it was given up to date, through the conversion to split', () => {
    const root = hgInit(NONE);
    const w = openWriter(root, 'data/f', 'filelog');
    const revs = fileHistory(300, 31, { lineLength: 1000 });
    withTransaction(root, (tr) => {
      const nodes: Node[] = [];
      for (const r of revs) {
        const p1 = r.p1 < 0 ? NULL_NODE : nodes[r.p1]!;
        const p2 = r.p2 < 0 ? NULL_NODE : nodes[r.p2]!;
        const added = w.addRevision(tr, r.text, r.link, p1, p2);
        nodes.push(added.node);
        expect(w.revlog.length).toBe(added.rev + 1);
        expect(Buffer.from(w.revlog.revision(added.rev)).equals(Buffer.from(r.text))).toBe(true);
        expect(w.revlog.rev(added.node)).toBe(added.rev);
      }
    });
    expect(w.revlog.inline).toBe(false);
    for (let r = 0; r < revs.length; r += 37) expect(Buffer.from(w.revlog.revision(r)).equals(Buffer.from(revs[r]!.text))).toBe(true);
  });

  it('does not add a node twice; refuses linkrev -1 and unknown parents', () => {
    const root = hgInit(NONE);
    const w = openWriter(root, 'data/f', 'filelog');
    withTransaction(root, (tr) => {
      const a = w.addRevision(tr, Buffer.from('hello\n'), 0, NULL_NODE, NULL_NODE);
      expect(a).toMatchObject({ rev: 0, added: true });
      const size = fs.statSync(path.join(root, '.hg/store/data/f.i')).size;
      const again = w.addRevision(tr, Buffer.from('hello\n'), 5, NULL_NODE, NULL_NODE);
      expect(again).toMatchObject({ rev: 0, added: false });
      expect(fs.statSync(path.join(root, '.hg/store/data/f.i')).size).toBe(size);
      expect(() => w.addRevision(tr, Buffer.from('x\n'), -1, NULL_NODE, NULL_NODE)).toThrow('attempted to add linkrev -1 to data/f');
      expect(() => w.addRevision(tr, Buffer.from('x\n'), 0, new Uint8Array(20).fill(7), NULL_NODE)).toThrow(/not found/);
    });
  });

  it('reuses a delta given by the caller when its base is chosen', () => {
    const root = hgInit(NONE);
    const w = openWriter(root, 'data/f', 'filelog');
    const t0 = Buffer.from(Array.from({ length: 200 }, (_, i) => `line ${i}\n`).join(''));
    const t1 = Buffer.from(t0.toString().replace('line 100\n', 'line one hundred\n'));
    // a valid delta, deliberately not the one bdiff would make (replaces two lines)
    const start = t0.indexOf('line 100\n');
    const end = start + 'line 100\nline 101\n'.length;
    const own = Buffer.concat([Buffer.alloc(12), Buffer.from('line one hundred\nline 101\n')]);
    own.writeUInt32BE(start, 0);
    own.writeUInt32BE(end, 4);
    own.writeUInt32BE(own.length - 12, 8);
    expect(Buffer.from(bdiff(t0, t1)).equals(own)).toBe(false);
    withTransaction(root, (tr) => {
      const r0 = w.addRevision(tr, t0, 0, NULL_NODE, NULL_NODE);
      const r1 = w.addRevision(tr, t1, 1, r0.node, NULL_NODE, { cachedDelta: { base: r0.rev, delta: own } });
      expect(w.revlog.deltaParent(r1.rev)).toBe(r0.rev);
      expect(Buffer.from(decompressChunk(w.revlog.rawChunk(r1.rev))).equals(own)).toBe(true);
      expect(Buffer.from(w.revlog.revision(r1.rev)).equals(t1)).toBe(true);
    });
    expect(hgDump(root, 'data/f')[0]!.revs.length).toBe(2);
  });

  it('registers new files in the fncache, with store path encoding', () => {
    const root = hgInit([]);
    const radix = 'data/Dir With Space/Ünïcode.TXT';
    const radixLatin1 = Buffer.from(radix, 'utf8').toString('latin1');
    const w = openWriter(root, radixLatin1, 'filelog');
    const big = fileHistory(60, 41, { lineLength: 3000, binary: true });
    withTransaction(root, (tr) => ourWrite(w, tr, big));
    const fncache = fs.readFileSync(path.join(root, '.hg/store/fncache'), 'latin1').split('\n').filter(Boolean).sort();
    expect(fncache).toEqual([`${radixLatin1}.d`, `${radixLatin1}.i`]);
    // hg finds the files through its own encoding
    const [d] = hgDump(root, radix);
    expect(d!.revs.length).toBe(60);
    expect(d!.inline).toBe(false);
  });

  it('an aborted transaction leaves the files as they were, and the writer reloads', () => {
    const root = hgInit([]);
    const revs = fileHistory(120, 51, { lineLength: 2000, binary: true });
    const w = openWriter(root, 'data/f', 'filelog');
    const nodes = withTransaction(root, (tr) => ourWrite(w, tr, revs.slice(0, 30)));
    const before = storeFile(root, 'data/f.i')!;
    expect(storeFile(root, 'data/f.d')).toBeUndefined();
    const fnBefore = storeFile(root, 'fncache');
    const messages: string[] = [];
    const tr = openRepoTransaction(repoTarget(root), 'test', { report: (m) => messages.push(m) });
    ourWrite(w, tr, revs.slice(30), nodes.slice());
    ourWrite(openWriter(root, 'data/new', 'filelog'), tr, revs.slice(0, 3));
    expect(w.revlog.inline).toBe(false); // converted inside the transaction
    tr.abort();
    expect(messages).toEqual(['transaction abort!\n', 'rollback completed\n']);
    expect(storeFile(root, 'data/f.i')!.equals(before)).toBe(true);
    expect(storeFile(root, 'data/f.d')).toBeUndefined();
    expect(storeFile(root, 'data/new.i')).toBeUndefined();
    expect(storeFile(root, 'fncache')).toEqual(fnBefore);
    expect(fs.readdirSync(path.join(root, '.hg/store/data')).sort()).toEqual(['f.i']);
    expect(w.revlog.length).toBe(30);
    expect(w.revlog.inline).toBe(true);
    // and it can go on writing
    withTransaction(root, (t2) => ourWrite(w, t2, revs.slice(30, 40), nodes.slice()));
    expect(hgDump(root, 'data/f')[0]!.revs.length).toBe(40);
  });
});
