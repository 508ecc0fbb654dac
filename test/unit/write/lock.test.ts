// Locks (vfs/lock.ts) against Mercurial: the same lock content as hg's
// lock._getlockprefix, hg sees and waits on hgkit's locks with the same
// messages hgkit gives when waiting on hg's, and stale locks are broken.

import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LockHeldError } from '../../../src/core/errors.js';
import { NodeWritableVfs } from '../../../src/vfs/atomic-write.js';
import { Lock, lockHolder, lockerId, lockHostPrefix } from '../../../src/vfs/lock.js';
import { lockStore, lockWorkingCopy } from '../../../src/store/transaction.js';
import { hgInit, lexists, PY, repoTarget, run, testEnv } from './helpers.js';
import { removeTempDirs, runProcessSync } from '../../helpers/hg.js';

afterAll(() => removeTempDirs());

const vfs = new NodeWritableVfs();

/** A pid that is not running (the highest pid number is never reached in tests). */
function deadPid(): number {
  for (let pid = 4_000_000; pid > 3_000_000; pid -= 7919) {
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
  throw new Error('no free pid found');
}

/** `hg debuglocks -s/-S`: hg holding a lock until it gets SIGTERM. */
async function hgHolding(root: string, which: 'lock' | 'wlock'): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn('/usr/bin/hg', ['debuglocks', which === 'lock' ? '-s' : '-S'], {
    cwd: root,
    env: testEnv(),
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const file = which === 'lock' ? path.join(root, '.hg/store/lock') : path.join(root, '.hg/wlock');
  for (let i = 0; i < 200 && !lexists(file); i++) await new Promise((r) => setTimeout(r, 25));
  expect(lexists(file)).toBe(true);
  const closed = new Promise<void>((r) => child.on('close', () => r()));
  return {
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await closed;
    },
  };
}

describe('locks', () => {
  it('writes hg’s lock content: <host>/<pid namespace>:<pid> as a symlink', async () => {
    const hgPrefix = run(PY, ['-c', 'from mercurial import lock; import sys; sys.stdout.write(lock._getlockprefix().decode())']);
    expect(lockHostPrefix()).toBe(hgPrefix);
    const root = hgInit();
    const l = await lockStore(repoTarget(root), { vfs });
    expect(fs.lstatSync(path.join(root, '.hg/store/lock')).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(path.join(root, '.hg/store/lock'))).toBe(`${hgPrefix}:${process.pid}`);
    expect(lockerId()).toBe(`${hgPrefix}:${process.pid}`);
    // hg sees it as held by this process
    const r = runProcessSync('/usr/bin/hg', ['debuglocks'], { cwd: root });
    expect(r.code).toBe(1);
    expect(r.stdout.toString()).toMatch(new RegExp(`^lock:  user \\S+, process ${process.pid}, host ${hgPrefix.replace(/[/.]/g, '\\$&')} \\(\\d+s\\)\nwlock: free\n$`));
    l.release();
    expect(lexists(path.join(root, '.hg/store/lock'))).toBe(false);
  });

  it('hg waits on an hgkit lock and gives up after ui.timeout, with its messages', async () => {
    const root = hgInit();
    const w = await lockWorkingCopy(repoTarget(root), { vfs });
    fs.writeFileSync(path.join(root, 'f'), 'x\n');
    const r = runProcessSync('/usr/bin/hg', ['commit', '-Am', 'x', '--config', 'ui.timeout=1'], { cwd: root });
    expect(r.code).toBe(255);
    expect(r.stderr.toString()).toBe(
      `waiting for lock on working directory of ${root} held by process '${process.pid}' on host '${lockHostPrefix()}'\n` +
        `abort: working directory of ${root}: timed out waiting for lock held by '${lockerId()}'\n`,
    );
    w.release();
  });

  it('hgkit waits on hg’s lock like hg does, and takes it once hg releases it', async () => {
    const root = hgInit();
    const held = await hgHolding(root, 'lock');
    const warnings: string[] = [];
    // give up after one second
    const err = await lockStore(repoTarget(root), { vfs, timeout: 1, onWarn: (m) => warnings.push(m) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    const locker = `${lockHostPrefix()}:${held.pid}`;
    expect((err as Error).message).toBe(`repository ${root}: timed out waiting for lock held by '${locker}'`);
    expect(warnings).toEqual([`waiting for lock on repository ${root} held by process '${held.pid}' on host '${lockHostPrefix()}'\n`]);
    // hg gives the same messages in the same situation
    fs.writeFileSync(path.join(root, 'f'), 'x\n');
    const hgr = runProcessSync('/usr/bin/hg', ['commit', '-Am', 'x', '--config', 'ui.timeout=1'], { cwd: root });
    expect(hgr.stderr.toString()).toBe(`${warnings[0]}abort: ${(err as Error).message}\n`);
    // wait, and get it when hg lets go
    warnings.length = 0;
    const pending = lockStore(repoTarget(root), { vfs, timeout: 10, onWarn: (m) => warnings.push(m) });
    await new Promise((r) => setTimeout(r, 300));
    await held.stop();
    const l = await pending;
    expect(l.delay).toBeGreaterThanOrEqual(1);
    expect(warnings).toEqual([warnings[0], `got lock after ${l.delay} seconds\n`]);
    expect(fs.readlinkSync(path.join(root, '.hg/store/lock'))).toBe(lockerId());
    l.release();
  });

  it('breaks a stale lock of a dead process on this host, not one of another host', () => {
    const root = hgInit();
    const file = path.join(root, '.hg/wlock');
    fs.symlinkSync(`${lockHostPrefix()}:${deadPid()}`, file);
    expect(lockHolder(vfs, file)).toBeUndefined();
    const l = Lock.tryAcquire(vfs, file, { desc: 'working directory of x' });
    expect(fs.readlinkSync(file)).toBe(lockerId());
    l.release();
    // another host: never broken
    fs.symlinkSync('otherhost:1', file);
    expect(lockHolder(vfs, file)).toBe('otherhost:1');
    expect(() => Lock.tryAcquire(vfs, file, { desc: 'working directory of x' })).toThrow("working directory of x: lock held by 'otherhost:1'");
    fs.unlinkSync(file);
    // a regular file (where symlinks are impossible) is read the same way
    fs.writeFileSync(file, `${lockHostPrefix()}:${deadPid()}`);
    const l2 = Lock.tryAcquire(vfs, file, { desc: 'working directory of x' });
    l2.release();
    expect(lexists(file)).toBe(false);
  });

  it('counts nested acquisitions and runs release callbacks once', () => {
    const root = hgInit();
    const file = path.join(root, '.hg/store/lock');
    const calls: string[] = [];
    const l = Lock.tryAcquire(vfs, file, { desc: 'repository x', onRelease: () => calls.push('release') });
    l.afterRelease(() => calls.push('after'));
    l.nest();
    l.release();
    expect(lexists(file)).toBe(true);
    l.release();
    expect(lexists(file)).toBe(false);
    l.release();
    expect(calls).toEqual(['release', 'after']);
  });
});
