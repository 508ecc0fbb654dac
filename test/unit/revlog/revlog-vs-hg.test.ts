// Every revision of every revlog, read by hgkit's Revlog, against what
// Mercurial's own revlog code returns for the same repository.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Repository } from '../../../src/store/repo.js';
import { toHex, utf8 } from '../../../src/core/bytes.js';
import type { Revlog } from '../../../src/revlog/revlog.js';

const PY = '/usr/bin/python3';
const env = { ...process.env, HGPLAIN: '1', HGUSER: 'test', TZ: 'UTC', HGRCPATH: '/dev/null', LANG: 'C.UTF-8' };

// Dumps every revlog of a repository as JSON lines via Mercurial's API.
const DUMP = `
import sys, json
from mercurial import ui as uimod, hg
from mercurial.node import hex
u = uimod.ui.load()
repo = hg.repository(u, sys.argv[1].encode())
def dump(kind, name, rl):
    for r in range(len(rl)):
        n = rl.node(r)
        p1, p2 = rl.parentrevs(r)
        print(json.dumps({"kind": kind, "name": name, "rev": r, "node": hex(n).decode(),
            "p1": p1, "p2": p2, "link": rl.linkrev(r), "text": rl.rawdata(r).hex()}))
dump("c", "", repo.changelog._revlog if hasattr(repo.changelog, "_revlog") else repo.changelog)
ml = repo.manifestlog.getstorage(b"")
dump("m", "", ml._revlog)
seen = set()
for rev in repo:
    for f in repo[rev].manifest().keys():
        if f in seen: continue
        seen.add(f)
        fl = repo.file(f)
        dump("f", f.hex(), fl._revlog)
`;

interface Row {
  kind: string;
  name: string;
  rev: number;
  node: string;
  p1: number;
  p2: number;
  link: number;
  text: string;
}

function hg(cwd: string, ...args: string[]): void {
  execFileSync('hg', args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
}

function buildRepo(dir: string, config: string[]): void {
  const cfg = config.flatMap((c) => ['--config', c]);
  hg(dir, 'init', ...cfg, 'r');
  const r = path.join(dir, 'r');
  const w = (p: string, data: string | Buffer): void => {
    fs.mkdirSync(path.dirname(path.join(r, p)), { recursive: true });
    fs.writeFileSync(path.join(r, p), data);
  };
  w('a', 'hello\n');
  w('Dir/Upper.TXT', 'upper\n');
  w('.hidden/x_y~z', 'dots\n');
  w('bin', Buffer.from([0, 1, 2, 255, 0, 10]));
  w('meta', '\x01\nnot meta\n');
  hg(r, 'commit', '-A', '-q', '-d', '0 0', '-m', 'one');
  // A file large enough to split its revlog, changed a few times.
  // Pseudo-random lines that compress badly, so the revlog passes hg's 128 KiB inline limit.
  let big = '';
  let seed = 7;
  for (let i = 0; i < 20000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    big += `line ${i} ${seed.toString(36)}${(seed * 31).toString(16)}\n`;
  }
  w('big', big);
  hg(r, 'commit', '-A', '-q', '-d', '1 0', '-m', 'big');
  for (let k = 0; k < 5; k++) {
    big = big.replace(`line ${k * 100} `, `LINE ${k * 100} `);
    w('big', big);
    w('a', `hello ${k}\n`);
    hg(r, 'commit', '-q', '-d', `${k + 2} 0`, '-m', `edit ${k}`);
  }
  hg(r, 'cp', 'a', 'copied');
  hg(r, 'commit', '-q', '-d', '10 0', '-m', 'copy');
  const long = 'x'.repeat(60) + '/' + 'Y'.repeat(70) + '/file.txt';
  w(long, 'long\n');
  hg(r, 'commit', '-A', '-q', '-d', '11 0', '-m', 'long path');
}

const FORMATS: Record<string, string[]> = {
  default: [],
  zlib: ['format.revlog-compression=zlib'],
  'no-generaldelta': ['format.generaldelta=false', 'format.sparse-revlog=false'],
  'no-dotencode': ['format.dotencode=false'],
  'no-fncache': ['format.usefncache=false'],
  'no-store': ['format.usestore=false'],
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hgkit-revlog-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(Object.entries(FORMATS))('revlogs of a %s repository', (name, config) => {
  let rows: Row[] = [];
  let root = '';
  beforeAll(() => {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    buildRepo(dir, config);
    root = path.join(dir, 'r');
    const out = spawnSync(PY, ['-c', DUMP, root], { env, maxBuffer: 1 << 28 });
    if (out.status !== 0) throw new Error(out.stderr.toString());
    rows = out.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as Row);
  });

  it('reads every revision with hg\'s text, node, parents and linkrev', () => {
    const repo = Repository.open(root);
    const logs = new Map<string, Revlog>();
    const open = (row: Row): Revlog => {
      const key = row.kind + row.name;
      let rl = logs.get(key);
      if (!rl) {
        rl =
          row.kind === 'c'
            ? repo.changelog.revlog
            : row.kind === 'm'
              ? repo.openRevlog(utf8('00manifest'), '00manifest')
              : repo.file(Buffer.from(row.name, 'hex')).revlog;
        logs.set(key, rl);
      }
      return rl;
    };
    expect(rows.length).toBeGreaterThan(20);
    for (const row of rows) {
      const rl = open(row);
      expect(rl.length).toBeGreaterThan(row.rev);
      expect(toHex(rl.node(row.rev))).toBe(row.node);
      expect(rl.parentRevs(row.rev)).toEqual([row.p1, row.p2]);
      expect(rl.linkRev(row.rev)).toBe(row.link);
      expect(toHex(rl.revision(row.rev))).toBe(row.text);
      expect(rl.findRev(rl.node(row.rev))).toBe(row.rev);
    }
  });

  it('has split and inline revlogs where hg made them', () => {
    const repo = Repository.open(root);
    expect(repo.file(utf8('big')).revlog.inline).toBe(false);
    expect(repo.file(utf8('a')).revlog.inline).toBe(true);
  });
});
