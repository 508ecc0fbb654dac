// readMergeState against Mercurial's mergestate.read on merge states hg wrote:
// a merge with a conflict (unresolved, then resolved), files taken from the
// other side, and no merge at all.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Repository } from '../../../src/store/repo.js';
import { readMergeState } from '../../../src/store/commit.js';
import { fromLatin1 } from '../../../src/core/bytes.js';
import { HG_BIN, makeTempDir, removeTempDirs, testEnv } from '../../helpers/hg.js';

const PY = '/usr/bin/python3';
const HAVE = fs.existsSync(PY) && spawnSync(PY, ['-c', 'import mercurial']).status === 0;

function hg(cwd: string, ...args: string[]): number {
  const r = spawnSync(HG_BIN, args, { cwd, env: testEnv({ HGMERGE: 'internal:merge' }) });
  return r.status ?? -1;
}

/** mergestate.read as hg sees it: active, unresolved count, extras per file. */
function hgView(repo: string): { active: boolean; unresolved: number; extras: Record<string, Record<string, string>> } {
  const script = `
import json, sys
from mercurial import hg, ui as uimod, mergestate
repo = hg.repository(uimod.ui.load(), sys.argv[1].encode())
ms = mergestate.mergestate.read(repo)
ex = {k.decode('latin1'): {a.decode('latin1'): b.decode('latin1') for a, b in v.items()} for k, v in ms.allextras().items()}
print(json.dumps({'active': ms.active(), 'unresolved': ms.unresolvedcount(), 'extras': ex}))`;
  const r = spawnSync(PY, ['-c', script, repo], { env: testEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function ours(repo: string): { active: boolean; unresolved: number; extras: Record<string, Record<string, string>> } {
  const ms = readMergeState(Repository.open(repo));
  const view = hgView(repo);
  const extras: Record<string, Record<string, string>> = {};
  for (const f of Object.keys(view.extras)) {
    const e = ms.extras(fromLatin1(f));
    extras[f] = Object.fromEntries([...(e ?? new Map())].map(([k, v]) => [k, Buffer.from(v).toString('latin1')]));
  }
  return { active: ms.active, unresolved: ms.unresolvedCount, extras };
}

afterAll(() => removeTempDirs());

describe.skipIf(!HAVE)('readMergeState vs mergestate.read', () => {
  it('conflicts, resolution, other-side files, no merge', () => {
    const root = makeTempDir('hgkit-ms-');
    const r = path.join(root, 'r');
    hg(root, 'init', 'r');
    const w = (f: string, t: string): void => fs.writeFileSync(path.join(r, f), t);
    w('a', '1\n2\n3\n');
    w('b', 'b\n');
    w('c', 'c\n');
    hg(r, 'commit', '-A', '-q', '-m', '0', '-d', '0 0');
    expect(ours(r)).toEqual(hgView(r));
    w('a', '1\nX\n3\n');
    w('b', 'b-left\n');
    hg(r, 'commit', '-q', '-m', '1', '-d', '1 0');
    hg(r, 'update', '-q', '0');
    w('a', '1\nY\n3\n');
    w('c', 'c-right\n');
    hg(r, 'commit', '-q', '-m', '2', '-d', '2 0');
    expect(hg(r, 'merge', '-q', '1')).toBe(1);
    const conflicted = ours(r);
    expect(conflicted).toEqual(hgView(r));
    expect(conflicted.unresolved).toBe(1);
    w('a', '1\nXY\n3\n');
    hg(r, 'resolve', '-q', '-m', 'a');
    const resolved = ours(r);
    expect(resolved).toEqual(hgView(r));
    expect(resolved.unresolved).toBe(0);
    expect(resolved.active).toBe(true);
  });
});
