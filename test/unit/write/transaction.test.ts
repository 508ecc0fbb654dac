// Transactions (store/transaction.ts) against Mercurial: hg plays back a
// journal hgkit left (hg recover), hg rolls back a transaction hgkit closed
// (hg rollback, from the undo files), and hgkit's own abort and recover.

import { describe, it, expect, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NULL_NODE } from '../../../src/core/node.js';
import {
  openRepoTransaction,
  recoverTransaction,
  resolveTxPath,
  Transaction,
} from '../../../src/store/transaction.js';
import { hg, hgDump, hgInit, openWriter, repoTarget, rng, run, storeFile, vfsMap } from './helpers.js';
import { removeTempDirs } from '../../helpers/hg.js';

afterAll(() => removeTempDirs());

/** A repository with one changeset (files a, B and an inline filelog `big` near the split size). */
function committedRepo(): string {
  const root = hgInit(['format.revlog-compression=zlib']);
  fs.writeFileSync(path.join(root, 'a'), 'a\n');
  fs.writeFileSync(path.join(root, 'B'), 'b\n');
  const r = rng(77);
  let big = '';
  while (big.length < 100_000) big += String.fromCharCode(33 + Math.floor(r() * 90)) + (r() < 0.02 ? '\n' : '');
  fs.writeFileSync(path.join(root, 'big'), big + '\n');
  hg(root, 'commit', '-Aqm', 'base', '-u', 'test', '-d', '0 0');
  return root;
}

function copyRepo(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true });
}

function storeFiles(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string, rel: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(dir, e.name), r);
      else if (!/^(undo|journal)/.test(e.name) && e.name !== 'lock') out.set(r, fs.readFileSync(path.join(dir, e.name)));
    }
  };
  walk(path.join(root, '.hg', 'store'), '');
  return out;
}

function expectStoreEqual(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [k, v] of a) expect({ k, same: v.equals(b.get(k)!) }).toEqual({ k, same: true });
}

/** Appends revisions to `big` (crossing 128 KiB: inline → split), to `a`, and creates `new`. */
function writeSome(root: string, tr: Transaction): void {
  const bigText = fs.readFileSync(path.join(root, 'big'));
  const big = openWriter(root, 'data/big', 'filelog');
  let p1 = big.revlog.node(0);
  let text = bigText;
  const r = rng(5);
  for (let i = 0; i < 20; i++) {
    const chunk = Buffer.alloc(4000);
    for (let j = 0; j < chunk.length; j++) chunk[j] = Math.floor(r() * 256);
    text = Buffer.concat([text, chunk]);
    p1 = big.addRevision(tr, text, 1, p1, NULL_NODE).node;
  }
  expect(big.revlog.inline).toBe(false);
  const a = openWriter(root, 'data/a', 'filelog');
  a.addRevision(tr, Buffer.from('a\nmore\n'), 1, a.revlog.node(0), NULL_NODE);
  const n = openWriter(root, 'data/New File', 'filelog');
  n.addRevision(tr, Buffer.from('new\n'), 1, NULL_NODE, NULL_NODE);
}

describe('transactions', () => {
  it('writes the journal in hg format; hg recover plays back what hgkit left', () => {
    const root = committedRepo();
    const before = storeFiles(root);
    const tr = openRepoTransaction(repoTarget(root, 1), 'test');
    writeSome(root, tr);
    const journal = fs.readFileSync(path.join(root, '.hg/store/journal'), 'latin1');
    const size = (f: string): number => before.get(f)!.length;
    expect(journal).toBe(
      [
        `data/big.i\0${size('data/big.i')}\n`,
        'data/big.d\x000\n',
        'data/big.i\x000\n', // the inline index is saved as a backup, the split one discarded on rollback
        `data/a.i\0${size('data/a.i')}\n`,
        'data/New File.i\x000\n',
      ].join(''),
    );
    // the backup of the inline index, then the temporary file the split index is written to
    const bk = `journal.backup.revlog-${createHash('sha1').update('data/big.i').digest('hex')}`;
    expect(fs.readFileSync(path.join(root, '.hg/store/journal.backupfiles'), 'latin1')).toMatch(
      new RegExp(`^2\n\0data/big\\.i\0${bk}\x000\n\0\0data/big\\.i\\.tmp-[0-9a-f]{10}\x000\n$`),
    );
    expect(storeFile(root, bk)!.equals(before.get('data/big.i')!)).toBe(true);
    // as a crash leaves it
    const crashed = `${root}-crashed`;
    copyRepo(root, crashed);
    tr.abort();
    expect(run('/usr/bin/hg', ['recover'], { cwd: crashed })).toBe('rolling back interrupted transaction\n');
    expectStoreEqual(before, storeFiles(crashed));
    expect(run('/usr/bin/hg', ['verify', '-q'], { cwd: crashed })).toBe('');
    // and hgkit's abort did the same
    expectStoreEqual(before, storeFiles(root));
    expect(fs.existsSync(path.join(root, '.hg/store/journal'))).toBe(false);
    expect(fs.existsSync(path.join(root, '.hg/store/journal.backupfiles'))).toBe(false);
  });

  it('leaves undo files hg rollback uses, fncache included', () => {
    const root = committedRepo();
    const before = storeFiles(root);
    const dirstate = fs.readFileSync(path.join(root, '.hg/dirstate'));
    const tr = openRepoTransaction(repoTarget(root, 1), 'commit');
    writeSome(root, tr);
    tr.close();
    // the closed transaction: new files in the fncache, undo information in hg's layout
    const fncache = fs.readFileSync(path.join(root, '.hg/store/fncache'), 'latin1').split('\n').filter(Boolean).sort();
    expect(fncache).toEqual(['data/B.i', 'data/New File.i', 'data/a.i', 'data/big.d', 'data/big.i']);
    expect(fs.readFileSync(path.join(root, '.hg/undo.desc'), 'latin1')).toBe('1\ncommit\n');
    expect(fs.readFileSync(path.join(root, '.hg/undo.branch'), 'latin1')).toBe('default');
    expect(fs.readFileSync(path.join(root, '.hg/undo.dirstate')).equals(dirstate)).toBe(true);
    expect(fs.existsSync(path.join(root, '.hg/undo.bookmarks'))).toBe(true);
    expect(fs.existsSync(path.join(root, '.hg/store/undo.phaseroots'))).toBe(true);
    const bk = `undo.backup.revlog-${createHash('sha1').update('data/big.i').digest('hex')}`;
    expect(fs.readFileSync(path.join(root, '.hg/store/undo.backupfiles'), 'latin1')).toBe(
      `2\n\0data/big.i\0${bk}\x000\n\0fncache\0undo.backup.fncache\x000\n`,
    );
    // nothing named like a revlog is left in data/ (store walks would take it for one)
    expect(fs.readdirSync(path.join(root, '.hg/store/data')).sort()).toEqual(['_b.i', '_new _file.i', 'a.i', 'big.d', 'big.i']);
    for (const f of fs.readdirSync(path.join(root, '.hg/store'))) expect(f.startsWith('journal') && f !== 'journal.phaseroots').toBe(false);
    expect(fs.readdirSync(path.join(root, '.hg/store/data')).filter((f) => f.startsWith('journal'))).toEqual([]);
    // hg reads the new revisions
    const [big, a, n] = hgDump(root, 'data/big', 'data/a', 'data/New File');
    expect([big!.revs.length, a!.revs.length, n!.revs.length]).toEqual([21, 2, 1]);
    // hg rollback restores the store
    expect(run('/usr/bin/hg', ['rollback'], { cwd: root })).toBe('repository tip rolled back to revision 0 (undo commit)\n');
    expectStoreEqual(before, storeFiles(root));
    expect(run('/usr/bin/hg', ['verify', '-q'], { cwd: root })).toBe('');
  });

  it('an exception aborts: release() without close() rolls back', () => {
    const root = committedRepo();
    const before = storeFiles(root);
    const reports: string[] = [];
    const tr = openRepoTransaction(repoTarget(root, 1), 'test', { report: (m) => reports.push(m) });
    expect(() => {
      try {
        writeSome(root, tr);
        throw new Error('boom');
      } finally {
        tr.release();
      }
    }).toThrow('boom');
    expect(reports).toEqual(['transaction abort!\n', 'rollback completed\n']);
    expect(tr.running).toBe(false);
    expectStoreEqual(before, storeFiles(root));
    expect(fs.existsSync(path.join(root, '.hg/store/journal'))).toBe(false);
  });

  it('nests: only the outermost close commits; an unclosed outer use aborts', () => {
    const root = committedRepo();
    const before = storeFiles(root);
    const tr = openRepoTransaction(repoTarget(root, 1), 'outer');
    const inner = tr.nest('inner');
    const a = openWriter(root, 'data/a', 'filelog');
    a.addRevision(inner, Buffer.from('changed\n'), 1, a.revlog.node(0), NULL_NODE);
    inner.close();
    inner.release();
    expect(tr.running).toBe(true);
    expect(fs.existsSync(path.join(root, '.hg/store/journal'))).toBe(true);
    tr.release(); // never closed
    expect(tr.running).toBe(false);
    expectStoreEqual(before, storeFiles(root));
  });

  it('runs validators, file generators, finalizers and post-close callbacks in hg order', () => {
    const root = committedRepo();
    const calls: string[] = [];
    const tr = openRepoTransaction(repoTarget(root, 1), 'test');
    tr.addPostClose('b', () => calls.push('postclose b'));
    tr.addPostClose('a', () => calls.push('postclose a'));
    tr.addFinalize('z', (t) => {
      calls.push('finalize z');
      t.addFinalize('y', () => calls.push('finalize y (added late)'));
    });
    tr.addValidator('v', () => calls.push('validate'));
    tr.addFileGenerator('gen', ['generated'], () => [Buffer.from('content\n')], { location: 'plain' });
    tr.addFileGenerator('late', ['late'], () => {
      calls.push('generate late');
      return [Buffer.from('late\n')];
    }, { location: 'plain', postFinalize: true });
    tr.addEndCallback('end', (_t, ok) => calls.push(`end ${ok}`));
    tr.close();
    expect(calls).toEqual(['validate', 'finalize z', 'finalize y (added late)', 'generate late', 'end true', 'postclose a', 'postclose b']);
    expect(fs.readFileSync(path.join(root, '.hg/generated'), 'latin1')).toBe('content\n');
    // generated files are backed up (absent before: removed on rollback)
    expect(fs.readFileSync(path.join(root, '.hg/store/undo.backupfiles'), 'latin1')).toBe('2\nplain\0generated\0\x000\nplain\0late\0\x000\n');
  });

  it('refuses to start over an interrupted transaction; recover reports nothing to do', async () => {
    const root = committedRepo();
    const tr = openRepoTransaction(repoTarget(root, 1), 'test');
    const crashed = `${root}-crashed`;
    copyRepo(root, crashed);
    tr.abort();
    expect(() => openRepoTransaction(repoTarget(crashed, 1), 'again')).toThrow('abandoned transaction found');
    try {
      openRepoTransaction(repoTarget(crashed, 1), 'again');
    } catch (e) {
      expect((e as { hint?: string }).hint).toBe("run 'hg recover' to clean up transaction");
    }
    const msgs: string[] = [];
    expect(await recoverTransaction(repoTarget(crashed), { onStatus: (m) => msgs.push(m), onWarn: (m) => msgs.push(m) })).toBe(true);
    expect(await recoverTransaction(repoTarget(crashed), { onStatus: (m) => msgs.push(m), onWarn: (m) => msgs.push(m) })).toBe(false);
    expect(msgs).toEqual(['rolling back interrupted transaction\n', 'no interrupted transaction available\n']);
  });

  it('plays back a journal hg left', async () => {
    // hg killed inside a transaction (a hook kills it after the data was written)
    const root = committedRepo();
    const before = storeFiles(root);
    fs.appendFileSync(path.join(root, 'a'), 'more\n');
    fs.writeFileSync(path.join(root, 'c'), 'new\n');
    const r = run('/bin/sh', ['-c', `/usr/bin/hg commit -Aqm second -u test -d '0 0' --config hooks.pretxnclose='kill -9 $PPID' || true`], { cwd: root });
    void r;
    expect(fs.existsSync(path.join(root, '.hg/store/journal'))).toBe(true);
    const msgs: string[] = [];
    expect(await recoverTransaction(repoTarget(root), { onStatus: (m) => msgs.push(m), onWarn: (m) => msgs.push(m) })).toBe(true);
    expect(msgs).toEqual(['rolling back interrupted transaction\n']);
    const after = storeFiles(root);
    // hg wrote the changelog to 00changelog.i.a (a pending file), removed as a temporary file
    expectStoreEqual(before, after);
    expect(run('/usr/bin/hg', ['verify', '-q'], { cwd: root })).toBe('');
  });

  it('resolves store paths with the repository encoding', () => {
    const root = hgInit();
    const map = vfsMap(root);
    const p = Buffer.from(resolveTxPath(map, '', 'data/Dir/AUX.txt.i')).toString();
    expect(p).toBe(path.join(root, '.hg/store/data/_dir/_a_u_x.txt.i'));
    expect(Buffer.from(resolveTxPath(map, 'plain', 'journal.desc')).toString()).toBe(path.join(root, '.hg/journal.desc'));
  });
});
