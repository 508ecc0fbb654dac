// DirstateMap against Mercurial's own dirstatemap: random sequences of the
// map operations (set_tracked, set_untracked, set_clean,
// set_possibly_dirty, reset_state, copies, setparents) are applied to hg's
// dirstatemap (through /usr/bin/python3) and to ours; the v1 entries
// written by both must be the same. Plus the dirblock structure itself:
// path order, subtrees, directory queries.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fromLatin1, latin1, toHex } from '../../../src/core/bytes.js';
import { NULL_NODE } from '../../../src/core/node.js';
import { DirstateMap } from '../../../src/dirstate/dirstate-map.js';
import { encodeDirstateV1, parseDirstateV1 } from '../../../src/dirstate/dirstate-v1.js';

const PY = '/usr/bin/python3';

type Op =
  | { op: 'set_tracked'; f: string }
  | { op: 'set_untracked'; f: string }
  | { op: 'set_clean'; f: string; mode: number; size: number; mtime: [number, number, boolean] }
  | { op: 'set_possibly_dirty'; f: string }
  | {
      op: 'reset_state';
      f: string;
      wc: boolean;
      p1: boolean;
      p2: boolean;
      meaningful: boolean;
      pfd: [number, number, [number, number, boolean] | null] | null;
    }
  | { op: 'copy'; dest: string; src: string | null }
  | { op: 'setparents'; p1: string; p2: string; fold: boolean };

// hg's side: apply the ops to mercurial.dirstatemap.dirstatemap, then dump
// the packed v1 entries sorted by path, one line each.
const HG_SCRIPT = String.raw`
import sys, json, os, io, struct, tempfile, binascii
from mercurial import ui as uimod, vfs as vfsmod, dirstatemap, node, policy
parsers = policy.importmod('parsers')
u = uimod.ui.load()
def dump(data):
    lines = [binascii.hexlify(data[:40]).decode()]
    pos = 40
    ents = []
    while pos < len(data):
        s, mode, size, mtime, l = struct.unpack('>cllll', data[pos:pos + 17])
        name = data[pos + 17:pos + 17 + l]
        pos += 17 + l
        ents.append('%s %d %d %d %s' % (s.decode(), mode, size, mtime, name.replace(b'\0', b' <- ').decode('latin1')))
    return '\n'.join(lines + sorted(ents))
out = []
for seq in json.load(sys.stdin):
    d = tempfile.mkdtemp().encode()
    os.makedirs(d + b'/.hg')
    m = dirstatemap.dirstatemap(u, vfsmod.vfs(d + b'/.hg'), d, node.sha1nodeconstants, False)
    m.setparents(node.nullid, node.nullid)
    log = []
    for o in seq:
        k = o['op']
        f = o.get('f', '').encode('latin1')
        if k == 'set_tracked':
            log.append(repr(m.set_tracked(f)))
        elif k == 'set_untracked':
            log.append(repr(m.set_untracked(f)))
        elif k == 'set_clean':
            m.set_clean(f, o['mode'], o['size'], tuple(o['mtime']))
        elif k == 'set_possibly_dirty':
            m.set_possibly_dirty(f)
        elif k == 'reset_state':
            pfd = o['pfd']
            if pfd is not None:
                pfd = (pfd[0], pfd[1], None if pfd[2] is None else tuple(pfd[2]))
            m.reset_state(f, o['wc'], o['p1'], o['p2'], o['meaningful'], pfd)
        elif k == 'copy':
            dest = o['dest'].encode('latin1')
            if o['src'] is None:
                m.copymap.pop(dest, None)
            else:
                m.copymap[dest] = o['src'].encode('latin1')
        elif k == 'setparents':
            c = m.setparents(binascii.unhexlify(o['p1']), binascii.unhexlify(o['p2']), fold_p2=o['fold'])
            log.append(' '.join(sorted('%s<-%s' % (a.decode('latin1'), b.decode('latin1')) for a, b in c.items())))
    class F(io.BytesIO):
        def close(self):
            self.v = self.getvalue()
    st = F()
    m.write(None, st)
    data = st.v
    # what hg makes of that file when it reads it back
    m2 = dirstatemap.dirstatemap(u, vfsmod.vfs(d + b'/.hg'), d, node.sha1nodeconstants, False)
    m2._map = {}
    m2.copymap = {}
    p = parsers.parse_dirstate(m2._map, m2.copymap, data)
    st2 = F()
    st2.write(parsers.pack_dirstate(m2._map, m2.copymap, tuple(p)))
    st2.close()
    out.append({'dump': dump(data), 'reread': dump(st2.v), 'log': log})
json.dump(out, sys.stdout)
`;

function runHg(seqs: Op[][]): { dump: string; reread: string; log: string[] }[] {
  const r = spawnSync(PY, ['-c', HG_SCRIPT], { input: JSON.stringify(seqs), maxBuffer: 1 << 28, env: { ...process.env, HGRCPATH: '/dev/null' } });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return JSON.parse(r.stdout.toString()) as { dump: string; reread: string; log: string[] }[];
}

function dumpOurs(map: DirstateMap): string {
  const data = encodeDirstateV1(map);
  const lines = [toHex(data.subarray(0, 40))];
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = 40;
  const ents: string[] = [];
  while (pos < data.length) {
    const s = String.fromCharCode(data[pos]!);
    const mode = dv.getInt32(pos + 1);
    const size = dv.getInt32(pos + 5);
    const mtime = dv.getInt32(pos + 9);
    const l = dv.getInt32(pos + 13);
    const name = latin1(data, pos + 17, pos + 17 + l).replace('\0', ' <- ');
    pos += 17 + l;
    ents.push(`${s} ${mode} ${size} ${mtime} ${name}`);
  }
  return [...lines, ...ents.sort()].join('\n');
}

function applyOurs(seq: Op[]): { map: DirstateMap; log: string[] } {
  const map = DirstateMap.empty();
  const log: string[] = [];
  const b = (s: string): Uint8Array => fromLatin1(s);
  const pyBool = (v: boolean): string => (v ? 'True' : 'False');
  for (const o of seq) {
    switch (o.op) {
      case 'set_tracked':
        log.push(pyBool(map.setTracked(b(o.f))));
        break;
      case 'set_untracked':
        log.push(pyBool(map.setUntracked(b(o.f))));
        break;
      case 'set_clean':
        map.setClean(b(o.f), o.mode, o.size, { sec: o.mtime[0], nsec: o.mtime[1], secondAmbiguous: o.mtime[2] });
        break;
      case 'set_possibly_dirty':
        map.setPossiblyDirty(b(o.f));
        break;
      case 'reset_state':
        map.resetState(b(o.f), {
          wcTracked: o.wc,
          p1Tracked: o.p1,
          p2Info: o.p2,
          hasMeaningfulMtime: o.meaningful,
          parentFileData:
            o.pfd === null
              ? undefined
              : {
                  mode: o.pfd[0],
                  size: o.pfd[1],
                  mtime: o.pfd[2] === null ? undefined : { sec: o.pfd[2][0], nsec: o.pfd[2][1], secondAmbiguous: o.pfd[2][2] },
                },
        });
        break;
      case 'copy':
        map.setCopySource(b(o.dest), o.src === null ? undefined : b(o.src));
        break;
      case 'setparents': {
        const c = map.setParents(hexNode(o.p1), hexNode(o.p2), o.fold);
        log.push(
          [...c]
            .map(([k, v]) => `${k}<-${latin1(v)}`)
            .sort()
            .join(' '),
        );
        break;
      }
    }
  }
  return { map, log };
}

function hexNode(h: string): Uint8Array {
  const out = new Uint8Array(20);
  for (let i = 0; i < 20; i++) out[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PATHS = ['a', 'b', 'd/x', 'd/y', 'd/e/z', 'd-1/q', 'e', 'd/e', 'caf\xc3\xa9/f', 'z/zz/zzz'];
const P1 = 'aa'.repeat(20);
const P2 = 'bb'.repeat(20);
const NULLHEX = '00'.repeat(20);

function randomSeq(seed: number, n: number): Op[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const present = new Set<string>();
  const ops: Op[] = [];
  const ts = (): [number, number, boolean] => [Math.floor(r() * 2 ** 31), r() < 0.5 ? 0 : Math.floor(r() * 1e9), r() < 0.2];
  for (let i = 0; i < n; i++) {
    const f = pick(PATHS);
    const k = r();
    if (k < 0.2) {
      ops.push({ op: 'set_tracked', f });
      present.add(f);
    } else if (k < 0.32) {
      ops.push({ op: 'set_untracked', f });
    } else if (k < 0.55) {
      const wc = r() < 0.6;
      const p1 = r() < 0.6;
      const p2 = r() < 0.25;
      const pfd: [number, number, [number, number, boolean] | null] | null =
        r() < 0.3 ? null : [pick([0o100644, 0o100755, 0o120777, 0o100664]), Math.floor(r() * 5000), r() < 0.2 ? null : ts()];
      ops.push({ op: 'reset_state', f, wc, p1, p2, meaningful: r() < 0.7, pfd });
      if (wc || p1 || p2) present.add(f);
      else present.delete(f);
    } else if (k < 0.65 && present.size > 0) {
      const g = pick([...present]);
      ops.push({ op: 'set_clean', f: g, mode: pick([0o100644, 0o100755]), size: Math.floor(r() * 1e6), mtime: ts() });
    } else if (k < 0.72 && present.size > 0) {
      ops.push({ op: 'set_possibly_dirty', f: pick([...present]) });
    } else if (k < 0.85) {
      ops.push({ op: 'copy', dest: f, src: r() < 0.8 ? pick(PATHS.filter((p) => p !== f)) : null });
    } else {
      const merge = r() < 0.5;
      ops.push({ op: 'setparents', p1: P1, p2: merge ? P2 : NULLHEX, fold: !merge && r() < 0.7 });
    }
    // set_untracked can drop entries (hg's _refresh_entry); keep `present` conservative
    if (ops[ops.length - 1]!.op === 'set_untracked') present.delete(f);
  }
  return ops;
}

describe('DirstateMap vs hg dirstatemap', () => {
  it('random operation sequences write the same v1 entries as hg', () => {
    const seqs: Op[][] = [];
    for (let s = 1; s <= 400; s++) seqs.push(randomSeq(s, 10 + (s % 40)));
    const hg = runHg(seqs);
    for (let i = 0; i < seqs.length; i++) {
      const ours = applyOurs(seqs[i]!);
      expect(ours.log, `return values, sequence ${i + 1}`).toEqual(hg[i]!.log);
      expect(dumpOurs(ours.map), `entries, sequence ${i + 1}: ${JSON.stringify(seqs[i])}`).toBe(hg[i]!.dump);
      // and reading that file back keeps what hg keeps
      expect(dumpOurs(parseDirstateV1(encodeDirstateV1(ours.map))), `re-read, sequence ${i + 1}`).toBe(hg[i]!.reread);
    }
  });
});

describe('dirblocks', () => {
  const paths = ['b', 'a/b/c', 'a.txt', 'a/z', 'a-b/x', 'a/b.txt', 'a/b/d/e', 'zz', 'a/0', '\xe9/x', 'a/b/c2'];
  const build = (): DirstateMap => {
    const m = DirstateMap.empty();
    for (const p of paths) m.setTracked(fromLatin1(p));
    return m;
  };

  it('iterates in byte order of the paths, whatever the insertion order', () => {
    const m = build();
    expect(m.paths().map((p) => latin1(p))).toEqual([...paths].sort());
    const sorted = [...paths].sort();
    const order: string[] = [];
    m.forEach((r) => order.push(m.rows.pathLatin1(r)));
    expect(order).toEqual(sorted);
  });

  it('finds subtrees with a range of blocks', () => {
    const m = build();
    const under = (d: string): string[] => {
      const out: string[] = [];
      m.forEachUnder(d, (r) => out.push(m.rows.pathLatin1(r)));
      return out;
    };
    expect(under('a')).toEqual(['a/0', 'a/b.txt', 'a/b/c', 'a/b/c2', 'a/b/d/e', 'a/z']);
    expect(under('a/b')).toEqual(['a/b/c', 'a/b/c2', 'a/b/d/e']);
    expect(under('a/b/c')).toEqual(['a/b/c']);
    expect(under('nope')).toEqual([]);
    expect(m.hasDir('a/b/d')).toBe(true);
    expect(m.hasDir('a/b/c')).toBe(false);
    expect(m.hasDir('a-')).toBe(false);
  });

  it('keeps tracked-directory counts through removals', () => {
    const m = build();
    expect(m.hasTrackedDir('a/b/d')).toBe(true);
    m.resetState(fromLatin1('a/b/d/e'), { p1Tracked: true });
    // removed, still in the map
    expect(m.hasDir('a/b/d')).toBe(true);
    expect(m.hasTrackedDir('a/b/d')).toBe(false);
    expect(m.hasTrackedDir('a/b')).toBe(true);
    m.resetState(fromLatin1('a/b/d/e'), {});
    expect(m.hasDir('a/b/d')).toBe(false);
    expect(m.size).toBe(paths.length - 1);
  });

  it('parses an unsorted v1 file, later duplicates winning', () => {
    const m = DirstateMap.empty();
    m.setParents(NULL_NODE, NULL_NODE);
    for (const p of ['x/b', 'x/a', 'c']) m.setV1(fromLatin1(p), 'n', 0o100644, 3, 7);
    const data = encodeDirstateV1(m);
    // re-order the entries and duplicate one with other values
    const e = (name: string, size: number): Uint8Array => {
      const n = fromLatin1(name);
      const out = new Uint8Array(17 + n.length);
      const dv = new DataView(out.buffer);
      out[0] = 0x6e;
      dv.setInt32(1, 0o100644);
      dv.setInt32(5, size);
      dv.setInt32(9, 7);
      dv.setInt32(13, n.length);
      out.set(n, 17);
      return out;
    };
    const parts = [data.subarray(0, 40), e('x/b', 1), e('c', 2), e('x/a', 3), e('x/b', 4)];
    const total = parts.reduce((a, p) => a + p.length, 0);
    const buf = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      buf.set(p, o);
      o += p.length;
    }
    const parsed = parseDirstateV1(buf);
    expect(parsed.size).toBe(3);
    expect(parsed.paths().map((p) => latin1(p))).toEqual(['c', 'x/a', 'x/b']);
    expect(parsed.get(fromLatin1('x/b'))!.size).toBe(4);
  });
});
