// dirstate-v2 against Mercurial: dirstates hg wrote in repositories created
// with format.use-dirstate-v2 (clean checkout, edits, adds, removes, copies,
// after a status that recorded stat data, a merge in progress) are parsed by
// hgkit and compared with what hg's own v2 parser (dirstateutils/v2.py with
// the C DirstateItem) makes of them; then hgkit writes each back (new data
// file, new docket) and hg must read the same entries and give the same
// `hg debugstate` and `hg status`. A removed file whose path is now a
// directory of added files is one node with both an entry and children.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latin1, toHex } from '../../../src/core/bytes.js';
import {
  F_HAS_MODE_AND_SIZE,
  F_HAS_MTIME,
  type DirstateMap,
} from '../../../src/dirstate/dirstate-map.js';
import { readDirstate, writeDirstate } from '../../../src/dirstate/dirstate-file.js';
import { encodeDirstateV2, parseDirstateV2, parseDocket } from '../../../src/dirstate/dirstate-v2.js';
import { NodeDirstateStorage } from '../../../src/dirstate/node-fs.js';
import { HG_BIN, makeTempDir, removeTempDirs, runProcessSync, testEnv } from '../../helpers/hg.js';

const PY = '/usr/bin/python3';
const SLOW = ['--config', 'storage.dirstate-v2.slow-path=allow'];

// hg's view of a v2 dirstate: parents, then per entry (sorted by path) the
// v1 state/mode/size/mtime and the item's v2_data(), and copies.
const DUMP = String.raw`
import sys, binascii, os
from mercurial import node
from mercurial.dirstateutils import docket, v2
hgdir = sys.argv[1]
d = docket.DirstateDocket.parse(open(os.path.join(hgdir, 'dirstate'), 'rb').read(), node.sha1nodeconstants)
dmap, copymap = {}, {}
if d.uuid:
    data = open(os.path.join(hgdir, d.data_filename().decode()), 'rb').read()[:d.data_size]
    v2.parse_dirstate(dmap, copymap, data, d.tree_metadata)
out = [binascii.hexlify(d.parents[0]).decode() + ' ' + binascii.hexlify(d.parents[1]).decode()]
for f in sorted(dmap):
    e = dmap[f]
    out.append('%s %s %d %d %d %r' % (f.decode('latin1'), e.state.decode(), e.mode, e.size, e.mtime, e.v2_data()))
for f in sorted(copymap):
    out.append('copy %s <- %s' % (f.decode('latin1'), copymap[f].decode('latin1')))
print('\n'.join(out))
`;

function hgDump(hgDir: string): string {
  const r = spawnSync(PY, ['-c', DUMP, hgDir], { env: testEnv() });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString().trimEnd();
}

function ourDump(map: DirstateMap): string {
  const [p1, p2] = map.parents();
  const out = [`${toHex(p1)} ${toHex(p2)}`];
  map.forEach((r) => {
    const f = map.rows.flags[r]!;
    let v2f = f & 0xffff & ~((1 << 3) | (1 << 4));
    const mode = map.v1Mode(r);
    if (f & F_HAS_MODE_AND_SIZE) {
      if (mode & 0o100) v2f |= 1 << 3;
      if ((mode & 0o170000) === 0o120000) v2f |= 1 << 4;
    }
    const size = f & F_HAS_MODE_AND_SIZE ? map.rows.size[r]! : 0;
    const ms = f & F_HAS_MTIME ? map.rows.mtimeSec[r]! : 0;
    const mns = f & F_HAS_MTIME ? map.rows.mtimeNsec[r]! : 0;
    out.push(
      `${map.rows.pathLatin1(r)} ${map.v1State(r)} ${mode} ${map.v1Size(r)} ${map.v1Mtime(r)} (${v2f}, ${size}, ${ms}, ${mns})`,
    );
  });
  for (const k of [...map.copies.keys()].sort()) {
    if (map.findRowLatin1(k) >= 0) out.push(`copy ${k} <- ${latin1(map.copies.get(k)!)}`);
  }
  return out.join('\n');
}

function hg(args: string[], cwd: string): string {
  const r = runProcessSync(HG_BIN, [...SLOW, ...args], { cwd });
  if (r.code !== 0) throw new Error(`hg ${args.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

const SCRIPT = String.raw`
set -euo pipefail
hg() { command hg --config storage.dirstate-v2.slow-path=allow "$@"; }
c() { hg commit -q -d "$1 0" -m "$2"; }
hg init --config format.use-dirstate-v2=yes repo; cd repo
grep -q dirstate-v2 .hg/requires
mkdir -p d/e sub d-x d0
for f in a b c d/x d/e/y sub/z d-x/w d0/v; do echo "$f" > "$f"; done
printf '1\n2\n3\n4\n5\n' > both
echo '#!/bin/sh' > run.sh; chmod +x run.sh; ln -s a link
printf 'caf\xc3\xa9\n' > "$(printf 'caf\xc3\xa9')"
hg add -q; c 1 base
cp -a ../repo ../snap-checkout
echo more >> a; sed -i 1s/1/one/ both; hg rm -q b; hg cp c c2; echo new > added; hg add -q added; hg mv d/x d/x2
hg rm -q d/e/y; mkdir -p new/deep/er; echo n > new/deep/er/f; hg add -q new
cp -a ../repo ../snap-edits
sleep 1.1; hg st -q > /dev/null
cp -a ../repo ../snap-after-status
c 2 edits
hg up -q 0
echo other >> c; sed -i 5s/5/five/ both; echo p2new > p2new; hg add -q p2new; hg rm -q sub/z; c 3 other
hg merge -q 1 > /dev/null 2>&1 || true
cp -a ../repo ../snap-merge
hg rm -q -f p2new; hg rm -q -f added; hg rm -q -f both
cp -a ../repo ../snap-merge-removed
hg up -q -C 1; hg rm -q c; mkdir c; echo inside > c/in; hg add -q c/in; hg rm -q sub/z
cp -a ../repo ../snap-file-to-dir
`;

let top: string;
const snaps = ['snap-checkout', 'snap-edits', 'snap-after-status', 'snap-merge', 'snap-merge-removed', 'snap-file-to-dir'];
const REQS = new Set(['dirstate-v2']);

beforeAll(() => {
  top = makeTempDir('hgkit-dirstate-v2-');
  const r = spawnSync('bash', ['-c', SCRIPT], { cwd: top, env: testEnv() });
  if (r.status !== 0) throw new Error(r.stderr.toString());
}, 120_000);

afterAll(() => removeTempDirs());

function readOurs(hgDir: string): DirstateMap {
  return readDirstate(new NodeDirstateStorage(hgDir, path.dirname(hgDir)), REQS).map;
}

describe('dirstate-v2 written by hg', () => {
  for (const snap of snaps) {
    it(`${snap}: hgkit parses what hg parses`, () => {
      const hgDir = path.join(top, snap, '.hg');
      expect(ourDump(readOurs(hgDir))).toBe(hgDump(hgDir));
    });

    it(`${snap}: hg reads what hgkit writes the same way`, () => {
      const orig = path.join(top, snap);
      const mine = path.join(top, `${snap}.ours`);
      // cp -a keeps the symlinks' own mtimes (fs.cpSync does not)
      expect(spawnSync('cp', ['-a', orig, mine]).status).toBe(0);
      const hgDir = path.join(mine, '.hg');
      const storage = new NodeDirstateStorage(hgDir, mine);
      const loaded = readDirstate(storage, REQS);
      const oldUuid = parseDocket(fs.readFileSync(path.join(hgDir, 'dirstate'))).uuid;
      loaded.map.dirty = true;
      writeDirstate(storage, loaded);
      const newUuid = parseDocket(fs.readFileSync(path.join(hgDir, 'dirstate'))).uuid;
      expect(newUuid).not.toBe(oldUuid);
      // the old data file is gone, the new one is the only one
      const dataFiles = fs.readdirSync(hgDir).filter((n) => n.startsWith('dirstate.'));
      expect(dataFiles).toEqual([`dirstate.${newUuid}`]);
      expect(newUuid).toMatch(/^[0-9a-f]{8}$/);
      expect(hgDump(hgDir)).toBe(hgDump(path.join(orig, '.hg')));
      // hgkit reads its own file back identically
      expect(ourDump(readOurs(hgDir))).toBe(ourDump(loaded.map));
      // hg's own commands on both copies (status may record stat data in either)
      for (const args of [['debugstate', '--nodates'], ['status', '-C'], ['debugstate', '--nodates']]) {
        expect(hg(args, mine)).toBe(hg(args, orig));
      }
    });
  }

  it('a merge in progress has the special entries', () => {
    const map = readOurs(path.join(top, 'snap-merge-removed', '.hg'));
    const states = new Set<string>();
    map.forEach((r) => states.add(`${map.v1State(r)}${map.v1Size(r) < 0 ? map.v1Size(r) : ''}`));
    expect([...states].sort()).toEqual(expect.arrayContaining(['n-2', 'r-1', 'r-2']));
    expect(map.inMerge).toBe(true);
  });

  it('an empty docket is an empty dirstate', () => {
    const enc = encodeDirstateV2(readOurs(path.join(top, 'snap-checkout', '.hg')));
    expect(enc.data.length).toBeGreaterThan(0);
    expect(parseDirstateV2(parseDocket(new Uint8Array(0)), undefined).size).toBe(0);
  });

  it('rejects a bad docket or truncated data', () => {
    const hgDir = path.join(top, 'snap-edits', '.hg');
    const docket = fs.readFileSync(path.join(hgDir, 'dirstate'));
    const bad = Uint8Array.from(docket);
    bad[0] = 0x44;
    expect(() => parseDocket(bad)).toThrow(/marker/);
    const dk = parseDocket(docket);
    const data = fs.readFileSync(path.join(hgDir, `dirstate.${dk.uuid}`));
    expect(() => parseDirstateV2(dk, data.subarray(0, data.length - 10))).toThrow();
  });
});
