// Store path encoding compared with hg 6.3.2's own encoders (mercurial.store,
// C parsers) on thousands of random paths, and with the files real hg
// writes for every store layout.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromLatin1, latin1, toHex } from '../../../src/core/bytes.js';
import {
  auxEncode,
  decodeDir,
  decodeFilename,
  decodeStorePath,
  encodeDir,
  encodeFilename,
  encodeStorePath,
  filelogPath,
  hybridEncode,
  isHashedStoreName,
  lowerEncode,
  manifestRadix,
  storeDirName,
  storeLayoutFromRequirements,
  type StoreLayout,
} from '../../../src/vfs/store-encoding.js';

const PY = '/usr/bin/python3';

// One python process answers every query: lines `op hex` in, result hex (or `!`
// for an exception) out, in order.
const PY_SCRIPT = `
import sys
from mercurial import store
ops = {
    b'encodedir': store.encodedir,
    b'decodedir': store.decodedir,
    b'encodefilename': store.encodefilename,
    b'decodefilename': store.decodefilename,
    b'hybrid1': lambda p: store._hybridencode(p, True),
    b'hybrid0': lambda p: store._hybridencode(p, False),
    b'pathencode': store._pathencode,
    b'lowerencode': store.lowerencode,
    b'aux1': lambda p: b'/'.join(store._auxencode(p.split(b'/'), True)),
    b'aux0': lambda p: b'/'.join(store._auxencode(p.split(b'/'), False)),
}
out = []
for line in sys.stdin.buffer:
    op, _, hx = line.rstrip(b'\\n').partition(b' ')
    try:
        out.append(ops[op](bytes.fromhex(hx.decode())).hex())
    except Exception:
        out.append('!')
sys.stdout.write('\\n'.join(out) + '\\n')
`;

function askHg(queries: [string, Uint8Array][]): (string | undefined)[] {
  const input = queries.map(([op, p]) => `${op} ${toHex(p)}\n`).join('');
  const r = spawnSync(PY, ['-c', PY_SCRIPT], { input, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  lines.pop();
  expect(lines.length).toBe(queries.length);
  return lines.map((l) => (l === '!' ? undefined : l));
}

// --- random paths -----------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.HGKIT_TEST_SEED ?? 20240601);
const rand = mulberry32(SEED);
const ri = (n: number): number => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[ri(xs.length)]!;

const RESERVED_NAMES = ['aux', 'con', 'prn', 'nul', 'com1', 'com9', 'lpt1', 'lpt5', 'com0', 'lpt', 'auxx', 'co', 'nu'];
const ALPHABET = 'abcxyzABCXYZ019_~. -+=@[]^{}!#$%&\'()\\:*?"<>|';

function randomCase(s: string): string {
  let o = '';
  for (const ch of s) o += rand() < 0.3 ? ch.toUpperCase() : ch;
  return o;
}

function randomComponent(): number[] {
  const out: number[] = [];
  const kind = ri(10);
  if (kind === 0) {
    // reserved name, maybe with extension / trailing dot or space
    for (const ch of randomCase(pick(RESERVED_NAMES))) out.push(ch.charCodeAt(0));
    const tail = pick(['', '', '.', ' ', '.txt', '.i', '.d', '.hg', 'x', '..', '.c.d']);
    for (const ch of tail) out.push(ch.charCodeAt(0));
    return out;
  }
  if (kind === 1) {
    // leading / trailing dots and spaces
    for (const ch of pick(['.', ' ', '..', '. ', ' .', '.hg', '.i', '.d', '.hidden', ' x', '.X'])) out.push(ch.charCodeAt(0));
  }
  const len = kind === 2 ? 1 + ri(60) : 1 + ri(12);
  for (let i = 0; i < len; i++) {
    const r = rand();
    if (r < 0.75) out.push(ALPHABET.charCodeAt(ri(ALPHABET.length)));
    else if (r < 0.85) out.push(1 + ri(31)); // control bytes, no NUL
    else if (r < 0.95) out.push(0x7e + ri(0x82)); // ~ DEL and high bytes
    else out.push(32 + ri(95));
  }
  // avoid accidental slashes inside a component
  for (let i = 0; i < out.length; i++) if (out[i] === 0x2f) out[i] = 0x5f;
  if (rand() < 0.15) for (const ch of pick(['.', ' ', '.i', '.d', '.hg', '. '])) out.push(ch.charCodeAt(0));
  return out;
}

function randomStorePath(allowEmptyComponents = false): Uint8Array {
  const bytes: number[] = [];
  for (const ch of pick(['data/', 'data/', 'data/', 'meta/', 'dh/', ''])) bytes.push(ch.charCodeAt(0));
  const deep = rand() < 0.3;
  const ncomp = deep ? 5 + ri(20) : 1 + ri(5);
  for (let c = 0; c < ncomp; c++) {
    if (c > 0) bytes.push(0x2f);
    if (allowEmptyComponents && rand() < 0.05) continue;
    bytes.push(...randomComponent());
  }
  const suffix = rand() < 0.85 ? pick(['.i', '.d', '/00manifest.i', '.i', '.d']) : pick(['', '.', ' ', '.n', '.sda', '.foo.bar']);
  for (const ch of suffix) bytes.push(ch.charCodeAt(0));
  return Uint8Array.from(bytes);
}

function veryLongPath(): Uint8Array {
  const parts: string[] = [];
  const n = 20 + ri(40);
  for (let i = 0; i < n; i++) parts.push(randomCase('VeryLongDirectoryName' + i).slice(0, 3 + ri(30)) + pick(['', '.', ' ', '.i', '.d']));
  return fromLatin1('data/' + parts.join('/') + '/' + 'F'.repeat(ri(300)) + '.txt' + pick(['.i', '.d']));
}

const FIXED = [
  'data/foo.i',
  'data/Dir/sub.i/File.TXT.i',
  'data/aux.c.i',
  'data/x_y~z.i',
  'data/.hidden/ sp..i',
  'data/foo./bar.i',
  'data/AUX/Con.txt.i',
  'data/VeryLongDirectoryName00/VeryLongDirectoryName01/VeryLongDirectoryName02/VeryLongDirectoryName03/VeryLongDirectoryName04/VeryLongDirectoryName05/SomeVeryLongFileName_WithCaps.txt.i',
  'data/foo.i/bla.i',
  'data/foo.i.hg/bla.i',
  'data/.hg/x.d/y.hg.d/z.d',
  'data/com1/lpt9.lpt4.lpt1/conprn/com0/lpt0/foo..i',
  '00changelog.i',
  '00manifest.d',
  'phaseroots',
  'meta/dir/00manifest.i',
  'meta/' + 'abcdefghij/'.repeat(15) + '00manifest.i',
  'data/' + 'x'.repeat(115) + '.i',
  'data/' + 'x'.repeat(113) + '.i',
  'data/' + 'x'.repeat(114) + '.i',
  'data/' + 'X'.repeat(60) + '.i',
  'data/' + 'a.'.repeat(80) + '.i',
  'data/' + 'dir./'.repeat(30) + 'f.i',
  'data/' + 'd       '.repeat(12) + '/f.i',
  'data/' + 'longdir '.repeat(3) + '/' + 'x'.repeat(120) + '.i',
  'data/' + 'abcdefg/'.repeat(9) + 'x'.repeat(40) + '.i',
  'data/' + 'abcdefgh/'.repeat(9) + 'x'.repeat(40) + '.i',
  'data/' + 'abcdefghi/'.repeat(9) + 'x'.repeat(40) + '.i',
  'data/' + 'a/'.repeat(40) + 'x'.repeat(40) + '.i',
  // hashed form with exactly 1, 0 and -1 bytes left for the basename filler
  'data/' + 'abcdefgh/'.repeat(7) + 'abcde/' + 'x'.repeat(100) + '.abcdef',
  'data/' + 'abcdefgh/'.repeat(7) + 'abcde/' + 'x'.repeat(100) + '.abcdefg',
  'data/' + 'abcdefgh/'.repeat(7) + 'abcde/' + 'x'.repeat(100) + '.abcdefgh',
  'data/' + 'x'.repeat(200),
  'data/' + 'x'.repeat(200) + '.',
  'data/' + 'x'.repeat(200) + '/.i',
  'data/' + 'x'.repeat(200) + '/..i',
  'data/' + 'x'.repeat(200) + '/...i',
  'data/' + 'x'.repeat(200) + '/. .i',
  'data/' + 'x'.repeat(200) + '/aux.i',
  'data/' + 'x'.repeat(200) + '/AUX.i',
  'data/' + 'x'.repeat(200) + '/.hg/a.i',
  'data/' + 'X'.repeat(200) + '/ _~.i',
  'data/\xff\xfe/\x01\x7f.i',
  'data/' + '\xe9'.repeat(50) + '.i',
  'data/' + '\xe9'.repeat(40) + '.i',
  'data/',
  'data',
  '',
  'a',
  '.',
  ' ',
  '/',
  'data/a/',
].map(fromLatin1);

function corpus(): Uint8Array[] {
  const paths = [...FIXED];
  for (let i = 0; i < 4000; i++) paths.push(randomStorePath());
  for (let i = 0; i < 300; i++) paths.push(veryLongPath());
  return paths;
}

const hex = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : toHex(b));
const show = (h: string | undefined): string =>
  h === undefined ? '<error>' : JSON.stringify(latin1(Uint8Array.from(Buffer.from(h, 'hex'))));

// All queries go to one python process: tests register (op, inputs) while the
// suite is collected, beforeAll asks hg once, each test then compares.
class HgOracle {
  private readonly queries: [string, Uint8Array][] = [];
  private answers: (string | undefined)[] | undefined;

  /** Registers `op` over `inputs`; returns the index of the first answer. */
  ask(op: string, inputs: Uint8Array[]): number {
    const at = this.queries.length;
    for (const p of inputs) this.queries.push([op, p]);
    return at;
  }

  run(): void {
    this.answers = askHg(this.queries);
  }

  answer(i: number): string | undefined {
    if (!this.answers) throw new Error('oracle not run');
    return this.answers[i];
  }
}

interface Comparison {
  op: string;
  inputs: Uint8Array[];
  at: number;
}

function plan(oracle: HgOracle, op: string, inputs: Uint8Array[]): Comparison {
  return { op, inputs, at: oracle.ask(op, inputs) };
}

function compareAll(
  oracle: HgOracle,
  c: Comparison,
  ours: (p: Uint8Array) => Uint8Array | undefined,
  opts: { skipHgErrors?: boolean; hgMayFail?: (p: Uint8Array) => boolean } = {},
): void {
  const failures: string[] = [];
  let compared = 0;
  for (let i = 0; i < c.inputs.length; i++) {
    const want = oracle.answer(c.at + i);
    const input = c.inputs[i]!;
    if (want === undefined && (opts.skipHgErrors || opts.hgMayFail?.(input))) continue;
    const got = hex(ours(input));
    compared++;
    if (got !== want && failures.length < 10) {
      failures.push(`${c.op}(${JSON.stringify(latin1(input))}): hg ${show(want)}, ours ${show(got)}`);
    }
  }
  expect(failures).toEqual([]);
  expect(compared).toBeGreaterThan(c.inputs.length / 2);
}

describe('store encoding vs mercurial.store', () => {
  const paths = corpus();
  const withEmpty: Uint8Array[] = [];
  for (let i = 0; i < 1500; i++) withEmpty.push(randomStorePath(true));
  const lowered = paths.map(lowerEncode);
  const junk: Uint8Array[] = [];
  const pieces = ['_', '__', '_a', '_A', '_1', '~', '~2', '~2e', '~2E', '~41', '~7e', '~ff', '~zz', 'A', 'a', '.hg/', '.i.hg/', '\xff', '\x7f', 'x'];
  for (let i = 0; i < 2000; i++) {
    let s = '';
    const n = 1 + ri(6);
    for (let k = 0; k < n; k++) s += pick(pieces);
    junk.push(fromLatin1(s));
  }

  const oracle = new HgOracle();
  const q = {
    encodedir: plan(oracle, 'encodedir', paths),
    decodedir: plan(oracle, 'decodedir', paths),
    decodedirEncoded: plan(oracle, 'decodedir', paths.map(encodeDir)),
    encodefilename: plan(oracle, 'encodefilename', paths),
    pathencode: plan(oracle, 'pathencode', paths),
    hybrid1: plan(oracle, 'hybrid1', paths),
    hybrid0: plan(oracle, 'hybrid0', paths),
    emptyPathencode: plan(oracle, 'pathencode', withEmpty),
    emptyHybrid0: plan(oracle, 'hybrid0', withEmpty),
    lowerencode: plan(oracle, 'lowerencode', paths),
    aux1: plan(oracle, 'aux1', lowered),
    aux0: plan(oracle, 'aux0', lowered),
    decodefilename: plan(oracle, 'decodefilename', paths.map(encodeFilename)),
    decodeJunk: plan(oracle, 'decodefilename', junk),
  };
  beforeAll(() => oracle.run());

  it('has long and hashed paths in the corpus', () => {
    const hashed = paths.filter((p) => isHashedStoreName(hybridEncode(p, true)));
    expect(hashed.length).toBeGreaterThan(500);
  });

  it('encodedir / decodedir', () => {
    compareAll(oracle, q.encodedir, encodeDir);
    compareAll(oracle, q.decodedir, decodeDir);
    compareAll(oracle, q.decodedirEncoded, decodeDir);
  });

  it('encodefilename (store without fncache)', () => {
    compareAll(oracle, q.encodefilename, encodeFilename);
    compareAll(oracle, q.encodefilename, (p) => encodeStorePath(p, { store: true, fncache: false, dotencode: false }));
  });

  it('C pathencode (store + fncache + dotencode)', () => {
    compareAll(oracle, q.pathencode, (p) => encodeStorePath(p, { store: true, fncache: true, dotencode: true }));
  });

  // The Python hashed encoder crashes (b''[-1]) on an empty directory
  // component once the 5-byte `data/` prefix is cut, which only happens for
  // long paths that do not start with `data/` or `meta/` (hg never hashes
  // those); the C encoder hg uses with dotencode handles them.
  const emptyComponentAfterPrefix = (p: Uint8Array): boolean => {
    const rest = latin1(p, Math.min(5, p.length));
    return rest.startsWith('/') || rest.includes('//');
  };

  it('_hybridencode(path, True)', () => {
    compareAll(oracle, q.hybrid1, (p) => hybridEncode(p, true), { hgMayFail: emptyComponentAfterPrefix });
  });

  it('_hybridencode(path, False) (store + fncache)', () => {
    compareAll(oracle, q.hybrid0, (p) => encodeStorePath(p, { store: true, fncache: true, dotencode: false }), {
      hgMayFail: emptyComponentAfterPrefix,
    });
  });

  it('empty path components (old converted repos) follow the C encoder', () => {
    compareAll(oracle, q.emptyPathencode, (p) => hybridEncode(p, true));
    compareAll(oracle, q.emptyHybrid0, (p) => hybridEncode(p, false), { hgMayFail: emptyComponentAfterPrefix });
  });

  it('lowerencode and _auxencode', () => {
    compareAll(oracle, q.lowerencode, lowerEncode);
    compareAll(oracle, q.aux1, (p) => auxEncode(p, true));
    compareAll(oracle, q.aux0, (p) => auxEncode(p, false));
  });

  it('decodefilename, including names hg cannot decode', () => {
    compareAll(oracle, q.decodefilename, decodeFilename);
    // garbage: random escapes, uppercase, raw high bytes
    compareAll(oracle, q.decodeJunk, decodeFilename);
  });

  it('decodeStorePath inverts encodeStorePath for every non-hashed name', () => {
    const layouts: StoreLayout[] = [
      { store: false, fncache: false, dotencode: false },
      { store: true, fncache: false, dotencode: false },
      { store: true, fncache: true, dotencode: false },
      { store: true, fncache: true, dotencode: true },
    ];
    for (const layout of layouts) {
      let decoded = 0;
      for (const p of paths) {
        const enc = encodeStorePath(p, layout);
        const dec = decodeStorePath(enc, layout);
        if (isHashedStoreName(enc) && layout.fncache) {
          expect(dec).toBeUndefined();
          continue;
        }
        // `.hg.hg/` chains and the like decode to a different path; then
        // decodeStorePath refuses rather than lie
        if (dec === undefined) {
          expect(toHex(encodeStorePath(decodeDir(encodeDir(p)), layout))).toBe(toHex(enc));
          continue;
        }
        decoded++;
        expect(toHex(encodeStorePath(dec, layout))).toBe(toHex(enc));
      }
      expect(decoded).toBeGreaterThan(paths.length / 3);
    }
  });
});

describe('helpers', () => {
  it('filelogPath and manifestRadix', () => {
    expect(latin1(filelogPath(fromLatin1('a/B.txt')))).toBe('data/a/B.txt');
    expect(latin1(manifestRadix(new Uint8Array(0)))).toBe('00manifest');
    expect(latin1(manifestRadix(fromLatin1('dir/')))).toBe('meta/dir/00manifest');
    expect(latin1(manifestRadix(fromLatin1('dir/sub')))).toBe('meta/dir/sub/00manifest');
  });

  it('storeLayoutFromRequirements follows localrepo.makestore', () => {
    expect(storeLayoutFromRequirements(['store', 'fncache', 'dotencode'])).toEqual({ store: true, fncache: true, dotencode: true });
    expect(storeLayoutFromRequirements(['fncache', 'dotencode'])).toEqual({ store: false, fncache: false, dotencode: false });
    expect(storeLayoutFromRequirements(['store', 'dotencode'])).toEqual({ store: true, fncache: false, dotencode: false });
    expect(storeDirName({ store: false, fncache: false, dotencode: false })).toBe('');
    expect(storeDirName({ store: true, fncache: false, dotencode: false })).toBe('store');
  });
});

// --- real repositories --------------------------------------------------------

const HG_ENV = { ...process.env, HGPLAIN: '1', HGUSER: 'test', TZ: 'UTC', HGRCPATH: '/dev/null', LANG: 'C.UTF-8' };

function hg(cwd: string, args: string[]): string {
  const r = spawnSync('/usr/bin/hg', args, { cwd, env: HG_ENV, encoding: 'latin1' });
  if (r.status !== 0) throw new Error(`hg ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function listFiles(dir: Buffer, rel = ''): string[] {
  const out: string[] = [];
  for (const d of fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' })) {
    const name = d.name.toString('latin1');
    const r = rel === '' ? name : rel + '/' + name;
    const full = Buffer.concat([dir, Buffer.from('/'), d.name]);
    if (d.isDirectory()) out.push(...listFiles(full, r));
    else out.push(r);
  }
  return out;
}

// Tracked files with awkward names (bytes as latin1 strings; the working copy
// gets the same bytes).
const TRICKY_FILES = [
  'plain.txt',
  'Dir/sub.i/File.TXT',
  '.hidden/ x.',
  'aux/con.txt',
  'Com1.c/lpt9',
  'x_y~z',
  'dir.d/f.hg/g',
  'sp ace/trail ',
  'caf\xe9/\xff\x01name',
  'VeryLongDirectoryName00/VeryLongDirectoryName01/VeryLongDirectoryName02/VeryLongDirectoryName03/VeryLongDirectoryName04/VeryLongDirectoryName05/SomeVeryLongFileName_WithCaps.txt',
  'short/' + 'N'.repeat(100),
  'deep/' + 'abcdefghijk/'.repeat(10) + 'leaf',
];

interface LayoutCase {
  name: string;
  config: string[];
  layout: StoreLayout;
}

const LAYOUT_CASES: LayoutCase[] = [
  { name: 'default (store+fncache+dotencode)', config: [], layout: { store: true, fncache: true, dotencode: true } },
  { name: 'no dotencode', config: ['format.dotencode=false'], layout: { store: true, fncache: true, dotencode: false } },
  { name: 'no fncache', config: ['format.usefncache=false'], layout: { store: true, fncache: false, dotencode: false } },
  { name: 'no store', config: ['format.usestore=false'], layout: { store: false, fncache: false, dotencode: false } },
  {
    name: 'tree manifests',
    config: ['experimental.treemanifest=1'],
    layout: { store: true, fncache: true, dotencode: true },
  },
];

function readRequirements(hgDir: string): string[] {
  const reqs: string[] = [];
  for (const f of [path.join(hgDir, 'requires'), path.join(hgDir, 'store', 'requires')]) {
    if (fs.existsSync(f)) reqs.push(...fs.readFileSync(f, 'latin1').split('\n').filter(Boolean));
  }
  return reqs;
}

describe('store layouts written by hg', () => {
  for (const c of LAYOUT_CASES) {
    it(c.name, () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hgkit-storeenc-'));
      try {
        const repo = path.join(tmp, 'r');
        hg(tmp, ['init', ...c.config.flatMap((x) => ['--config', x]), 'r']);
        const root = Buffer.from(repo);
        for (const f of TRICKY_FILES) {
          const full = Buffer.concat([root, Buffer.from('/' + f, 'latin1')]);
          fs.mkdirSync(full.subarray(0, full.lastIndexOf(0x2f)), { recursive: true });
          fs.writeFileSync(full, 'content of ' + f + '\n');
        }
        hg(repo, ['commit', '-q', '-A', '-m', 'c']);

        const hgDir = path.join(repo, '.hg');
        const layout = storeLayoutFromRequirements(readRequirements(hgDir));
        expect(layout).toEqual(c.layout);
        const storeDir = path.join(hgDir, storeDirName(layout));

        // every revlog the repo must have, as unencoded store paths
        const tracked = TRICKY_FILES;
        const expected = new Set<string>();
        for (const f of tracked) expected.add(latin1(filelogPath(fromLatin1(f))) + '.i');
        if (c.config.includes('experimental.treemanifest=1')) {
          const dirs = new Set<string>();
          for (const f of tracked) {
            const parts = f.split('/');
            for (let k = 1; k < parts.length; k++) dirs.add(parts.slice(0, k).join('/') + '/');
          }
          for (const d of dirs) expected.add(latin1(manifestRadix(fromLatin1(d))) + '.i');
        }

        // on-disk revlogs under data/, meta/, dh/
        const onDisk = listFiles(Buffer.from(storeDir)).filter((f) => /^(data|meta|dh)\//.test(f));
        const encoded = [...expected].map((p) => latin1(encodeStorePath(fromLatin1(p), layout)));
        expect(new Set(onDisk)).toEqual(new Set(encoded));
        if (layout.fncache) expect(encoded.some((e) => e.startsWith('dh/'))).toBe(true);
        if (c.config.includes('experimental.treemanifest=1')) {
          expect(encoded.some((e) => e.startsWith('dh/') && e.includes('00manifes'))).toBe(true);
        }

        // decoding the listing gives back the store paths where hg can decode
        for (const name of onDisk) {
          const dec = decodeStorePath(fromLatin1(name), layout);
          if (name.startsWith('dh/')) {
            expect(dec).toBeUndefined();
          } else {
            expect(dec).toBeDefined();
            expect(expected.has(latin1(dec!))).toBe(true);
          }
          if (layout.store && !layout.fncache) {
            const d2 = decodeFilename(fromLatin1(name));
            expect(d2 && latin1(d2)).toBe(latin1(dec!));
          }
        }

        // top-level store files are not renamed by any layout
        for (const top of ['00changelog.i', '00manifest.i', 'phaseroots']) {
          const enc = latin1(encodeStorePath(fromLatin1(top), layout));
          expect(enc).toBe(top);
          expect(fs.existsSync(path.join(storeDir, enc))).toBe(true);
        }
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});
