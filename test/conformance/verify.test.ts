// `hgkit verify` vs `hg verify`, byte for byte (stdout, stderr, exit code), on
// healthy repositories of every storage format and on damaged copies.
//
//   node scripts/build.mjs && npx vitest run test/conformance/verify.test.ts
//
// Damage is done with small index/data edits made here (independent of
// hgkit's own readers): flipped bytes, truncations, edited index fields
// (linkrev, parents, raw size), removed files and fncache lines.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ALL_FIXTURES,
  FORMAT_FIXTURES,
  appendLine,
  copyRepo,
  corruptRevlogText,
  getFixture,
  removeFixtures,
  revlogChunk,
  splitFixtureFile,
  truncateFile,
  type Fixture,
} from '../helpers/fixtures.js';
import {
  compareWithHg,
  expectSameAsHg,
  makeTempDir,
  removeTempDirs,
  runProcess,
  stopHgServers,
  type CompareOptions,
} from '../helpers/hg.js';
import { encodeStorePath, type StoreLayout } from '../../src/vfs/store-encoding.js';
import { isIdentityStorePath } from '../../src/store/verify.js';

afterAll(async () => {
  stopHgServers();
  await removeFixtures();
  removeTempDirs();
});

// ---------------------------------------------------------------------------
// Damage helpers

type IndexField = 'linkrev' | 'p1' | 'p2' | 'rawsize' | 'base' | 'flags';
const FIELD_OFFSET: Record<Exclude<IndexField, 'flags'>, number> = { rawsize: 12, base: 16, linkrev: 20, p1: 24, p2: 28 };

/** Byte position of revision `rev`'s 64-byte entry in a v1 index (inline or not). */
function entryPos(index: Buffer, rev: number): number {
  const inline = (index.readUInt16BE(0) & 1) === 1;
  let pos = 0;
  for (let r = 0; r < rev; r++) {
    if (pos + 64 > index.length) throw new Error(`no revision ${rev}`);
    pos += 64 + (inline ? index.readInt32BE(pos + 8) : 0);
  }
  if (pos + 64 > index.length) throw new Error(`no revision ${rev}`);
  return pos;
}

/** Overwrites one field of an index entry. */
function editIndex(indexFile: string, rev: number, field: IndexField, value: number): void {
  const index = fs.readFileSync(indexFile);
  const pos = entryPos(index, rev);
  if (field === 'flags') index.writeUInt16BE(value, pos + 6);
  else index.writeInt32BE(value, pos + FIELD_OFFSET[field]);
  fs.writeFileSync(indexFile, index);
}

/** Keeps the first `n` revisions of a revlog (index and data cut at the entry boundary). */
function keepRevisions(indexFile: string, n: number): void {
  const index = fs.readFileSync(indexFile);
  const inline = (index.readUInt16BE(0) & 1) === 1;
  const pos = entryPos(index, n - 1);
  const clen = index.readInt32BE(pos + 8);
  fs.writeFileSync(indexFile, index.subarray(0, pos + 64 + (inline ? clen : 0)));
  if (!inline) {
    const { offset, length } = revlogChunk(indexFile, n - 1);
    const dataFile = indexFile.replace(/\.i$/, '.d');
    fs.writeFileSync(dataFile, fs.readFileSync(dataFile).subarray(0, offset + length));
  }
}

function flipByte(file: string, offset: number): void {
  const data = fs.readFileSync(file);
  const at = offset < 0 ? data.length + offset : offset;
  data[at] = data[at]! ^ 1;
  fs.writeFileSync(file, data);
}

function removeFncacheEntry(repo: string, entry: string): void {
  const f = path.join(repo, '.hg/store/fncache');
  const lines = fs.readFileSync(f, 'latin1').split('\n').filter((l) => l !== entry);
  fs.writeFileSync(f, lines.join('\n'), 'latin1');
}

const store = (repo: string, ...p: string[]): string => path.join(repo, '.hg/store', ...p);

// ---------------------------------------------------------------------------
// Running

async function same(dir: string, args: string[], hgCode: number, opts: CompareOptions = {}): Promise<void> {
  const pair = await compareWithHg(dir, ['verify', ...args], { hgMode: 'process', ...opts });
  expectSameAsHg(pair, { hgCode, stderr: 'full' });
}

/** Builds a repository with a bash script (hg on PATH), returns its root. */
async function buildRepo(label: string, init: string[], script: string): Promise<string> {
  const top = makeTempDir(`hgkit-verify-${label}-`);
  const full = `set -euo pipefail\nhg init ${init.join(' ')} repo\ncd repo\n${script}\n`;
  const r = await runProcess('bash', ['-c', full], { cwd: top });
  if (r.code !== 0) throw new Error(`building ${label} failed: ${r.stderr.toString()}`);
  return path.join(top, 'repo');
}

// ---------------------------------------------------------------------------
// Healthy repositories: every fixture

// A representative set (every storage format, plus the content fixtures that
// exercise copies, split revlogs, odd paths and encodings); all are built up
// front, two at a time, while the tests run.
const HEALTHY = [
  'vectors',
  'copies',
  'bigfile',
  'split',
  'unicode',
  'paths',
  ...FORMAT_FIXTURES.map((f) => f.name),
];
for (const name of HEALTHY) void getFixture(name).catch(() => undefined);

// hg verify takes the repository lock: runs on one repository stay sequential
// (one test per fixture), different fixtures run side by side.
const VARIANTS: Record<string, string[][]> = {
  vectors: [['-v'], ['--full'], ['-q']],
  copies: [['-v'], ['--full']],
  'fmt-default': [['-v'], ['--full'], ['-q']],
  'fmt-nofncache': [['-v'], ['--full']],
  'fmt-nostore': [['-v'], ['--full']],
  'fmt-legacy': [['-v'], ['--full']],
};

describe.concurrent('healthy fixtures', () => {
  for (const spec of ALL_FIXTURES.filter((f) => HEALTHY.includes(f.name))) {
    const variants = [[], ...(VARIANTS[spec.name] ?? [])];
    it(`${spec.name}: ${variants.map((v) => `verify ${v.join(' ')}`.trim()).join(', ')}`, async () => {
      const fx = await getFixture(spec.name);
      for (const args of variants) await same(fx.dir, args, 0, { hgMode: 'server' });
    });
  }
  it('empty repository', async () => {
    const dir = await buildRepo('empty', [], 'true');
    await same(dir, [], 0);
    await same(dir, ['-v'], 0);
  });
});

// The per-file storage checks shared with a helper thread (forced on small repositories).
describe.concurrent('helper thread', () => {
  const env = { HGKIT_VERIFY_HELPERS: 'force' };
  for (const name of ['split', 'fmt-default', 'copies', 'bigfile']) {
    it(`${name} (healthy)`, async () => {
      const fx = await getFixture(name);
      await same(copyRepo(fx, 'helpers'), [], 0, { env });
    });
  }
  it('split: damaged files among many', async () => {
    const fx = await getFixture('split');
    const dir = copyRepo(fx, 'helpers');
    corruptRevlogText(store(dir, 'data', splitFixtureFile(3) + '.i'), 1, 3);
    fs.rmSync(store(dir, 'data', splitFixtureFile(1500) + '.i'));
    editIndex(store(dir, 'data', splitFixtureFile(700) + '.i'), 0, 'rawsize', 1);
    await same(dir, [], 1, { env });
    await same(dir, [], 1, { env: { HGKIT_VERIFY_HELPERS: '0' } });
  });
  it('copies: copy source missing', async () => {
    const fx = await getFixture('copies');
    const dir = copyRepo(fx, 'helpers-copy');
    fs.rmSync(store(dir, 'data/src/a.txt.i'));
    await same(dir, [], 1, { env });
  });
});

// ---------------------------------------------------------------------------
// Damaged repositories

interface DamageCase {
  name: string;
  fixture: string;
  damage: (dir: string) => void;
  args?: string[];
  hgCode: number;
}

const damageCases: DamageCase[] = [
  // filelogs
  { name: 'flipped byte in a filelog (hash mismatch)', fixture: 'vectors', hgCode: 1, damage: (d) => corruptRevlogText(store(d, 'data/a.i'), 0, 0) },
  { name: 'missing filelog', fixture: 'vectors', hgCode: 1, damage: (d) => fs.rmSync(store(d, 'data/a.i')) },
  {
    name: 'missing filelog and fncache entry',
    fixture: 'vectors',
    hgCode: 1,
    damage: (d) => {
      fs.rmSync(store(d, 'data/a.i'));
      removeFncacheEntry(d, 'data/a.i');
    },
  },
  { name: 'empty filelog index', fixture: 'vectors', hgCode: 1, damage: (d) => fs.writeFileSync(store(d, 'data/b.i'), '') },
  { name: 'truncated filelog index', fixture: 'vectors', hgCode: 1, damage: (d) => truncateFile(store(d, 'data/a.i'), { by: 3 }) },
  { name: 'filelog cut to one revision', fixture: 'vectors', hgCode: 1, damage: (d) => keepRevisions(store(d, 'data/a.i'), 1) },
  { name: 'filelog linkrev to an unrelated changeset', fixture: 'vectors', hgCode: 1, damage: (d) => editIndex(store(d, 'data/a.i'), 1, 'linkrev', 4) },
  { name: 'filelog linkrev to a nonexistent changeset', fixture: 'vectors', hgCode: 1, damage: (d) => editIndex(store(d, 'data/a.i'), 1, 'linkrev', 99) },
  { name: 'filelog linkrev to another changeset touching it', fixture: 'vectors', hgCode: 0, damage: (d) => editIndex(store(d, 'data/a.i'), 1, 'linkrev', 0) },
  { name: 'filelog parent is itself', fixture: 'vectors', hgCode: 1, damage: (d) => editIndex(store(d, 'data/a.i'), 1, 'p1', 1) },
  { name: 'filelog parent out of range', fixture: 'vectors', hgCode: 1, damage: (d) => editIndex(store(d, 'data/a.i'), 1, 'p1', 9) },
  { name: 'filelog second parent unknown', fixture: 'vectors', hgCode: 1, damage: (d) => editIndex(store(d, 'data/a.i'), 0, 'p2', 1) },
  { name: 'filelog raw size wrong', fixture: 'vectors', hgCode: 1, damage: (d) => editIndex(store(d, 'data/a.i'), 1, 'rawsize', 3) },
  { name: 'unknown revision flag', fixture: 'vectors', hgCode: 1, damage: (d) => editIndex(store(d, 'data/b.i'), 0, 'flags', 1) },
  { name: 'extstored flag without lfs', fixture: 'vectors', hgCode: 1, damage: (d) => editIndex(store(d, 'data/b.i'), 0, 'flags', 0x2000) },
  { name: 'truncated .d', fixture: 'bigfile', hgCode: 1, damage: (d) => truncateFile(store(d, 'data/random.bin.d'), { to: 100_000 }) },
  { name: 'bytes appended to .d', fixture: 'bigfile', hgCode: 1, damage: (d) => appendLine(store(d, 'data/big.txt.d'), 'junk') },
  { name: 'missing .d', fixture: 'bigfile', hgCode: 1, damage: (d) => fs.rmSync(store(d, 'data/random.bin.d')) },
  { name: 'empty .d', fixture: 'bigfile', hgCode: 1, damage: (d) => fs.writeFileSync(store(d, 'data/random.bin.d'), '') },
  {
    name: 'flipped byte in a zlib chunk',
    fixture: 'fmt-zlib',
    hgCode: 1,
    damage: (d) => {
      const { file, offset, length } = revlogChunk(store(d, 'data/big.txt.i'), 0);
      flipByte(file, offset + Math.floor(length / 2));
    },
  },
  // fncache
  { name: 'fncache entry removed', fixture: 'vectors', hgCode: 0, damage: (d) => removeFncacheEntry(d, 'data/b.i') },
  {
    name: 'orphan data file',
    fixture: 'vectors',
    hgCode: 0,
    damage: (d) => {
      appendLine(store(d, 'fncache'), 'data/zz.i');
      fs.writeFileSync(store(d, 'data/zz.i'), 'hi\n');
    },
  },
  { name: 'fncache entry of a missing file', fixture: 'vectors', hgCode: 0, damage: (d) => appendLine(store(d, 'fncache'), 'data/nothere.i') },
  { name: 'fncache without final newline', fixture: 'vectors', hgCode: 255, damage: (d) => fs.appendFileSync(store(d, 'fncache'), 'data/x.i') },
  { name: 'fncache with an empty line', fixture: 'vectors', hgCode: 255, damage: (d) => fs.appendFileSync(store(d, 'fncache'), '\n') },
  { name: 'fncache missing', fixture: 'vectors', hgCode: 0, damage: (d) => fs.rmSync(store(d, 'fncache')) },
  // manifest
  { name: 'manifest linkrev to another changeset', fixture: 'vectors', hgCode: 1, damage: (d) => editIndex(store(d, '00manifest.i'), 2, 'linkrev', 1) },
  { name: 'manifest linkrev to a nonexistent changeset', fixture: 'vectors', hgCode: 1, damage: (d) => editIndex(store(d, '00manifest.i'), 2, 'linkrev', 50) },
  { name: 'manifest cut to three revisions', fixture: 'vectors', hgCode: 1, damage: (d) => keepRevisions(store(d, '00manifest.i'), 3) },
  { name: 'manifest parent out of range', fixture: 'vectors', hgCode: 1, damage: (d) => editIndex(store(d, '00manifest.i'), 3, 'p1', 40) },
  // (manifest rev 4 is a delta stored raw: the flip changes the text, not the compression)
  { name: 'flipped byte in a manifest delta', fixture: 'vectors', hgCode: 1, damage: (d) => corruptRevlogText(store(d, '00manifest.i'), 4, 20) },
  { name: 'flipped byte in a manifest delta, --full', fixture: 'vectors', hgCode: 1, args: ['--full'], damage: (d) => corruptRevlogText(store(d, '00manifest.i'), 4, 20) },
  { name: 'flipped byte in a manifest node', fixture: 'vectors', hgCode: 1, damage: (d) => corruptRevlogText(store(d, '00manifest.i'), 4, 30) },
  { name: 'flipped byte in the first manifest (full text)', fixture: 'vectors', hgCode: 1, damage: (d) => corruptRevlogText(store(d, '00manifest.i'), 0, 3) },
  { name: 'manifest missing', fixture: 'vectors', hgCode: 1, damage: (d) => fs.rmSync(store(d, '00manifest.i')) },
  { name: 'truncated manifest index', fixture: 'vectors', hgCode: 255, damage: (d) => truncateFile(store(d, '00manifest.i'), { by: 30 }) },
  { name: 'split manifest cut', fixture: 'split', hgCode: 1, damage: (d) => keepRevisions(store(d, '00manifest.i'), 2) },
  // changelog
  { name: 'truncated changelog index', fixture: 'vectors', hgCode: 255, damage: (d) => truncateFile(store(d, '00changelog.i'), { by: 30 }) },
  { name: 'changelog cut to five revisions', fixture: 'vectors', hgCode: 1, damage: (d) => keepRevisions(store(d, '00changelog.i'), 5) },
  { name: 'flipped byte in a changeset', fixture: 'vectors', hgCode: 1, damage: (d) => corruptRevlogText(store(d, '00changelog.i'), 2, 42) },
  { name: 'changelog linkrev wrong', fixture: 'vectors', hgCode: 1, damage: (d) => editIndex(store(d, '00changelog.i'), 3, 'linkrev', 1) },
  { name: 'changelog parent out of order', fixture: 'vectors', hgCode: 1, damage: (d) => editIndex(store(d, '00changelog.i'), 3, 'p1', 5) },
  { name: 'changelog missing', fixture: 'vectors', hgCode: 1, damage: (d) => fs.rmSync(store(d, '00changelog.i')) },
  { name: 'split changelog .d truncated', fixture: 'split', hgCode: 1, damage: (d) => truncateFile(store(d, '00changelog.d'), { by: 10 }) },
  // copies
  {
    name: 'copy source filelog missing',
    fixture: 'copies',
    hgCode: 1,
    damage: (d) => {
      fs.rmSync(store(d, 'data/src/a.txt.i'));
      removeFncacheEntry(d, 'data/src/a.txt.i');
    },
  },
  {
    name: 'copy source filelog missing, verbose',
    fixture: 'copies',
    hgCode: 1,
    args: ['-v'],
    damage: (d) => fs.rmSync(store(d, 'data/src/a.txt.i')),
  },
  // other stores
  { name: 'journal left behind', fixture: 'vectors', hgCode: 0, damage: (d) => fs.writeFileSync(store(d, 'journal'), '') },
  { name: 'no-fncache store: orphan', fixture: 'fmt-nofncache', hgCode: 0, damage: (d) => fs.writeFileSync(store(d, 'data/zz.i'), 'x') },
  { name: 'no-fncache store: undecodable name', fixture: 'fmt-nofncache', hgCode: 1, damage: (d) => fs.writeFileSync(store(d, 'data/ZZ.i'), 'x') },
  { name: 'no-fncache store: missing filelog', fixture: 'fmt-nofncache', hgCode: 1, damage: (d) => fs.rmSync(store(d, 'data/big.txt.i')) },
  { name: 'no store: orphan', fixture: 'fmt-nostore', hgCode: 0, damage: (d) => fs.writeFileSync(path.join(d, '.hg/data/zz.i'), 'x') },
  { name: 'no store: missing filelog', fixture: 'fmt-nostore', hgCode: 1, damage: (d) => fs.rmSync(path.join(d, '.hg/data/big.txt.i')) },
  { name: 'legacy format: flipped byte', fixture: 'fmt-legacy', hgCode: 1, damage: (d) => flipByte(store(d, 'data/big.txt.d'), 100) },
];

describe.concurrent('damaged', () => {
  for (const c of damageCases) {
    it(`${c.fixture}: ${c.name}`, async () => {
      const fx: Fixture = await getFixture(c.fixture);
      const dir = copyRepo(fx, 'damage');
      c.damage(dir);
      await same(dir, c.args ?? [], c.hgCode);
    });
  }
});

// ---------------------------------------------------------------------------
// Tree manifests and a copy whose source is not in the changeset's parents

describe('tree manifests', () => {
  let tree: Promise<string> | undefined;
  const treeRepo = (): Promise<string> =>
    (tree ??= buildRepo(
      'tree',
      ['--config', 'experimental.treemanifest=true'],
      String.raw`
mkdir -p dir/sub other
echo a > a; echo b > dir/b; echo c > dir/sub/c; echo d > other/d
hg commit -qA -m 0 -d '0 0'
echo b2 >> dir/b; hg commit -q -m 1 -d '1 0'
echo c2 >> dir/sub/c; hg rm -q other/d; hg commit -q -m 2 -d '2 0'
hg cp dir/b dir/sub/b-copy; hg commit -q -m 3 -d '3 0'
`,
    ));
  const cases: { name: string; hgCode: number; args?: string[]; damage?: (d: string) => void }[] = [
    { name: 'healthy', hgCode: 0 },
    { name: 'healthy -v', hgCode: 0, args: ['-v'] },
    { name: 'healthy --full', hgCode: 0, args: ['--full'] },
    { name: 'directory manifest missing', hgCode: 1, damage: (d) => fs.rmSync(store(d, 'meta/dir/00manifest.i')) },
    { name: 'subdirectory manifest missing', hgCode: 1, damage: (d) => fs.rmSync(store(d, 'meta/dir/sub/00manifest.i')) },
    { name: 'directory manifest cut', hgCode: 1, damage: (d) => keepRevisions(store(d, 'meta/dir/00manifest.i'), 1) },
    { name: 'directory manifest linkrev', hgCode: 1, damage: (d) => editIndex(store(d, 'meta/dir/00manifest.i'), 1, 'linkrev', 0) },
    { name: 'directory manifest flipped byte', hgCode: 1, damage: (d) => flipByte(store(d, 'meta/dir/00manifest.i'), -3) },
    {
      name: 'orphan directory manifest',
      hgCode: 0,
      damage: (d) => {
        fs.mkdirSync(store(d, 'meta/zz'));
        fs.writeFileSync(store(d, 'meta/zz/00manifest.i'), 'x');
        appendLine(store(d, 'fncache'), 'meta/zz/00manifest.i');
      },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const src = await treeRepo();
      let dir = src;
      if (c.damage) {
        dir = path.join(makeTempDir('hgkit-verify-tree-'), 'repo');
        fs.cpSync(src, dir, { recursive: true });
        c.damage(dir);
      }
      await same(dir, c.args ?? [], c.hgCode);
    });
  }
});

describe('copy source not in parents (verbose check)', () => {
  it('warns with -v only', async () => {
    // dst is copied from src in rev 2; its filelog linkrev is then pointed at
    // rev 3, another changeset touching dst, whose parent lacks src
    const dir = await buildRepo(
      'copysrc',
      [],
      String.raw`
echo a > a; hg add a; hg commit -q -m 0 -d '0 0'
echo src > src; hg add src; hg commit -q -m 1 -d '1 0'
hg cp src dst; hg commit -q -m 2 -d '2 0'
hg up -q 0; echo other > dst; hg add dst; hg commit -q -m 3 -d '3 0'
`,
    );
    editIndex(store(dir, 'data/dst.i'), 0, 'linkrev', 3);
    await same(dir, ['-v'], 0);
    await same(dir, [], 0);
  });
});

describe.concurrent('censored data and subrepositories', () => {
  it('censored file revision (censor.policy abort and ignore)', async () => {
    const dir = await buildRepo(
      'censor',
      [],
      String.raw`
echo secret > s; echo x > y; hg add -q; hg commit -q -m 0 -d '0 0'
echo clean > s; hg commit -q -m 1 -d '1 0'
echo more > s; hg commit -q -m 2 -d '2 0'
hg --config extensions.censor= censor -r 0 s -t gone
hg --config extensions.censor= censor -r 1 s -t gone
`,
    );
    await same(dir, [], 1);
    await same(dir, ['--config', 'censor.policy=ignore'], 1);
    await same(dir, [], 1, { env: { HGKIT_VERIFY_HELPERS: 'force' } });
  });
  it('subrepository links', async () => {
    const dir = await buildRepo(
      'subrepo',
      [],
      String.raw`
hg init sub; echo s > sub/s; hg -R sub add -q; hg -R sub commit -q -m s0 -d '0 0'
hg init sub2; echo t > sub2/t; hg -R sub2 add -q; hg -R sub2 commit -q -m t0 -d '0 0'
printf 'sub = sub
sub2 = sub2
' > .hgsub; hg add .hgsub; echo a > a; hg add a; hg commit -q -m 0 -d '0 0'
echo s2 >> sub/s; hg -R sub commit -q -m s1 -d '1 0'; hg commit -q -m 1 -d '1 0'
echo b > b; hg add b; hg commit -q -m 2 -d '2 0'
`,
    );
    await same(dir, [], 0);
    const stripped = path.join(makeTempDir('hgkit-verify-sub-'), 'repo');
    fs.cpSync(dir, stripped, { recursive: true });
    keepRevisions(path.join(stripped, 'sub/.hg/store/00changelog.i'), 1);
    await same(stripped, [], 0);
    const gone = path.join(makeTempDir('hgkit-verify-sub-'), 'repo');
    fs.cpSync(dir, gone, { recursive: true });
    fs.rmSync(path.join(gone, 'sub2'), { recursive: true });
    await same(gone, [], 0);
  });
});

// ---------------------------------------------------------------------------
// The store-path fast path of the verifier must agree with the encoder

describe('isIdentityStorePath', () => {
  const layouts: StoreLayout[] = [
    { store: true, fncache: true, dotencode: true },
    { store: true, fncache: true, dotencode: false },
    { store: true, fncache: false, dotencode: false },
    { store: false, fncache: false, dotencode: false },
  ];
  const alphabet = ['a', 'b', 'z', '0', '9', '.', '/', '-', '+', ',', '=', '@', 'A', '_', ' ', '~', ':', 'aux', 'con', 'com1', 'lpt9', 'prn', 'nul', '.i', '.d', '.hg', 'x'.repeat(40)];
  it('claims identity only where every layout leaves the path as is', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let identities = 0;
    for (let k = 0; k < 20000; k++) {
      let p = 'data/';
      const parts = 1 + rnd(8);
      for (let i = 0; i < parts; i++) p += alphabet[rnd(alphabet.length)];
      p += rnd(2) ? '.i' : '.d';
      if (!isIdentityStorePath(p)) continue;
      identities++;
      const bytes = new Uint8Array(Buffer.from(p, 'latin1'));
      for (const layout of layouts) {
        expect(Buffer.from(encodeStorePath(bytes, layout)).toString('latin1'), `${p} ${JSON.stringify(layout)}`).toBe(p);
      }
    }
    expect(identities).toBeGreaterThan(1000);
  });
  it('typical paths take the fast path', () => {
    for (const p of ['data/src/main.c.i', 'data/dir000/sub01/file000123.txt.d', 'data/a-b/c.d.e.i', '00changelog.i']) {
      expect(isIdentityStorePath(p)).toBe(true);
    }
    for (const p of ['data/.hgtags.i', 'data/Src/a.i', 'data/aux.c.i', 'data/x.i/y.i', 'data/a_b.i', 'data/trail./x.i']) {
      expect(isIdentityStorePath(p)).toBe(false);
    }
  });
});

// every fixture name used above exists
it('fixtures used exist', () => {
  const names = new Set([...ALL_FIXTURES, ...FORMAT_FIXTURES].map((f) => f.name));
  for (const c of damageCases) expect(names.has(c.fixture)).toBe(true);
});
