// dirstate v1 against Mercurial: dirstates written by hg (clean checkouts,
// adds, removes, copies, a merge in progress with merged, other-parent and
// removed-in-merge entries) are parsed by hgkit and compared with what hg's
// own parser (the C parsers module) makes of them; hgkit's encoding of each
// is then put in place of hg's and hg must read the same entries, give the
// same `hg debugstate` and the same `hg status`.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latin1, toHex } from '../../../src/core/bytes.js';
import type { DirstateMap } from '../../../src/dirstate/dirstate-map.js';
import { encodeDirstateV1, parseDirstateV1 } from '../../../src/dirstate/dirstate-v1.js';
import { HG_BIN, makeTempDir, removeTempDirs, runProcessSync, testEnv } from '../../helpers/hg.js';

const PY = '/usr/bin/python3';

// hg's view of a dirstate file: parents, then per entry (sorted by path)
// state, v1 mode/size/mtime and the v2 flags of the item, and copies.
const DUMP = String.raw`
import sys, binascii
from mercurial import policy
parsers = policy.importmod('parsers')
data = open(sys.argv[1], 'rb').read()
dmap, copymap = {}, {}
p = parsers.parse_dirstate(dmap, copymap, data)
out = [binascii.hexlify(p[0]).decode() + ' ' + binascii.hexlify(p[1]).decode()]
for f in sorted(dmap):
    e = dmap[f]
    out.append('%s %s %d %d %d %d' % (f.decode('latin1'), e.state.decode(), e.mode, e.size, e.mtime, e.v2_data()[0]))
for f in sorted(copymap):
    out.append('copy %s <- %s' % (f.decode('latin1'), copymap[f].decode('latin1')))
print('\n'.join(out))
`;

function hgDump(file: string): string {
  const r = spawnSync(PY, ['-c', DUMP, file], { env: testEnv() });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString().trimEnd();
}

function ourDump(map: DirstateMap): string {
  const [p1, p2] = map.parents();
  const out = [`${toHex(p1)} ${toHex(p2)}`];
  map.forEach((r) => {
    out.push(`${map.rows.pathLatin1(r)} ${map.v1State(r)} ${map.v1Mode(r)} ${map.v1Size(r)} ${map.v1Mtime(r)} ${v2Flags(map, r)}`);
  });
  for (const k of [...map.copies.keys()].sort()) {
    if (map.findRowLatin1(k) >= 0) out.push(`copy ${k} <- ${latin1(map.copies.get(k)!)}`);
  }
  return out.join('\n');
}

/** The v2 flags hg's C item reports (v2_data()[0]): its flags with the mode bits recomputed. */
function v2Flags(map: DirstateMap, r: number): number {
  let f = map.rows.flags[r]! & 0xffff & ~((1 << 3) | (1 << 4));
  const mode = map.v1Mode(r);
  if (mode & 0o100) f |= 1 << 3;
  if ((mode & 0o170000) === 0o120000) f |= 1 << 4;
  return f;
}

function hg(args: string[], cwd: string): string {
  const r = runProcessSync(HG_BIN, args, { cwd });
  if (r.code !== 0) throw new Error(`hg ${args.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

const SCRIPT = String.raw`
set -euo pipefail
c() { hg commit -q -d "$1 0" -m "$2"; }
hg init repo; cd repo
mkdir -p d/e sub
for f in a b c d/x d/e/y sub/z; do echo "$f" > "$f"; done
printf '1\n2\n3\n4\n5\n' > both
echo '#!/bin/sh' > run.sh; chmod +x run.sh; ln -s a link
printf 'caf\xc3\xa9\n' > "$(printf 'caf\xc3\xa9')"
hg add -q; c 1 base
cp -a ../repo ../snap-checkout
echo more >> a; sed -i 1s/1/one/ both; hg rm -q b; hg cp c c2; echo new > added; hg add -q added; hg mv d/x d/x2
cp -a ../repo ../snap-edits
hg st -q > /dev/null
cp -a ../repo ../snap-after-status
c 2 edits
hg up -q 0
echo other >> c; sed -i 5s/5/five/ both; echo p2new > p2new; hg add -q p2new; hg rm -q sub/z; c 3 other
hg merge -q 1 > /dev/null 2>&1 || true
cp -a ../repo ../snap-merge
hg rm -q -f p2new; hg rm -q -f added; hg rm -q -f both
cp -a ../repo ../snap-merge-removed
`;

let top: string;
const snaps = ['snap-checkout', 'snap-edits', 'snap-after-status', 'snap-merge', 'snap-merge-removed'];

beforeAll(() => {
  top = makeTempDir('hgkit-dirstate-v1-');
  const r = spawnSync('bash', ['-c', SCRIPT], { cwd: top, env: testEnv() });
  if (r.status !== 0) throw new Error(r.stderr.toString());
}, 120_000);

afterAll(() => removeTempDirs());

describe('dirstate v1 written by hg', () => {
  for (const snap of snaps) {
    it(`${snap}: hgkit parses what hg parses`, () => {
      const file = path.join(top, snap, '.hg/dirstate');
      const map = parseDirstateV1(fs.readFileSync(file));
      expect(ourDump(map)).toBe(hgDump(file));
    });

    it(`${snap}: hg reads hgkit's encoding the same way`, () => {
      const repo = path.join(top, snap);
      const file = path.join(repo, '.hg/dirstate');
      const orig = fs.readFileSync(file);
      const ours = encodeDirstateV1(parseDirstateV1(orig));
      const copy = path.join(top, `${snap}.ours`);
      fs.writeFileSync(copy, ours);
      expect(hgDump(copy)).toBe(hgDump(file));
      // hg's commands on hg's file, then on ours put in its place
      // (status may record stat data: each run starts from its own file)
      const run = (data: Uint8Array): string[] => {
        fs.writeFileSync(file, data);
        return [hg(['debugstate', '--nodates'], repo), hg(['status', '-C'], repo)];
      };
      try {
        expect(run(ours)).toEqual(run(orig));
      } finally {
        fs.writeFileSync(file, orig);
      }
    });
  }

  it('a merge in progress has the special entries', () => {
    const map = parseDirstateV1(fs.readFileSync(path.join(top, 'snap-merge-removed', '.hg/dirstate')));
    const states = new Set<string>();
    map.forEach((r) => states.add(`${map.v1State(r)}${map.v1Size(r) < 0 ? map.v1Size(r) : ''}`));
    // m, n -2 (from p2), r -1 (removed, in both), r -2 (removed, from p2)
    expect([...states].sort()).toEqual(expect.arrayContaining(['n-2', 'r-1', 'r-2']));
    const merged = parseDirstateV1(fs.readFileSync(path.join(top, 'snap-merge', '.hg/dirstate')));
    expect(merged.get(new TextEncoder().encode('both'))?.state).toBe('m');
    expect(map.inMerge).toBe(true);
    expect(map.otherParentPaths().length).toBeGreaterThan(0);
    expect(map.nonNormalPaths().length).toBeGreaterThan(0);
  });

  it('rejects truncated files like hg', () => {
    const data = fs.readFileSync(path.join(top, 'snap-edits', '.hg/dirstate'));
    expect(() => parseDirstateV1(data.subarray(0, 30))).toThrow(/damaged/);
    expect(() => parseDirstateV1(data.subarray(0, data.length - 3))).toThrow();
    expect(parseDirstateV1(new Uint8Array(0)).size).toBe(0);
  });
});
