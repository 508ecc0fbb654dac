// hg-compatible repository locks (mercurial/lock.py, util.makelock), and the
// process guard that undoes unfinished work when the process is interrupted.
//
// A lock is `.hg/wlock` (working copy) or `.hg/store/lock` (store), created
// atomically as a symlink whose target is `<host>:<pid>` (an O_EXCL file with
// that content where symlinks are impossible). On Linux, host is
// `<hostname>/<pid namespace inode, hex>`, exactly as hg writes it, so hg and
// hgkit recognise each other's locks, and either one breaks a lock whose
// process is dead on this host. Take wlock before lock.
//
// Waiting follows lock.trylock: the first failure reports "waiting for lock
// on <desc> held by process '<pid>' on host '<host>'", then one attempt per
// second until `timeout` seconds (ui.timeout, 600 by default) have passed,
// then LockHeldError "<desc>: timed out waiting for lock held by '<locker>'".
// After a wait, "got lock after N seconds" is reported.

import * as fs from 'node:fs';
import * as os from 'node:os';
import process from 'node:process';
import { fromLatin1, latin1 } from '../core/bytes.js';
import { IoError, LockHeldError } from '../core/errors.js';
import type { WritableVfs } from './atomic-write.js';
import type { VfsPath } from './vfs.js';

// ---------------------------------------------------------------------------
// Interrupt guard

/** A cleanup run when the process is interrupted or exits with work unfinished. */
export type Cleanup = () => void;

/** What happens after the cleanups ran, for a signal ('SIGINT', 'SIGTERM', 'SIGHUP'). */
export type InterruptHandler = (signal: NodeJS.Signals) => void;

const GUARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * While transactions or locks are live, SIGINT, SIGTERM and SIGHUP do not
 * kill the process at once: the signal is handled between two synchronous
 * operations, the registered cleanups run (newest first: abort the
 * transaction, then release the locks), and then the interrupt handler.
 * The default handler re-raises the signal with its default action, so the
 * process ends as if it had not been caught; the CLI can set one that prints
 * hg's "interrupted!" and exits 255. The cleanups also run on `exit` (a
 * process.exit() in the middle of a transaction).
 */
class InterruptGuard {
  private readonly cleanups: Cleanup[] = [];
  private installed = false;
  private handler: InterruptHandler | undefined;

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.runAll();
    this.uninstall();
    if (this.handler) this.handler(signal);
    else process.kill(process.pid, signal);
  };

  private readonly onExit = (): void => {
    this.runAll();
  };

  setHandler(handler: InterruptHandler | undefined): void {
    this.handler = handler;
  }

  /** Registers a cleanup; returns the function that unregisters it (without running it). */
  register(fn: Cleanup): () => void {
    this.cleanups.push(fn);
    this.install();
    return () => {
      const i = this.cleanups.lastIndexOf(fn);
      if (i >= 0) this.cleanups.splice(i, 1);
      if (this.cleanups.length === 0) this.uninstall();
    };
  }

  private runAll(): void {
    while (this.cleanups.length > 0) {
      const fn = this.cleanups.pop()!;
      try {
        fn();
      } catch {
        // keep going: the remaining cleanups (lock releases) matter too
      }
    }
  }

  private install(): void {
    if (this.installed) return;
    this.installed = true;
    for (const s of GUARDED_SIGNALS) process.on(s, this.onSignal);
    process.on('exit', this.onExit);
  }

  private uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    for (const s of GUARDED_SIGNALS) process.removeListener(s, this.onSignal);
    process.removeListener('exit', this.onExit);
  }
}

const guard = new InterruptGuard();

/** Registers a cleanup with the process guard (see InterruptGuard); returns its unregister function. */
export function registerCleanup(fn: Cleanup): () => void {
  return guard.register(fn);
}

/** Sets what runs after the cleanups when a guarded signal arrives (undefined: re-raise it). */
export function setInterruptHandler(handler: InterruptHandler | undefined): void {
  guard.setHandler(handler);
}

// ---------------------------------------------------------------------------
// Lock identity

let hostPrefix: string | undefined;

/**
 * hg's lock._getlockprefix: the host name, plus on Linux `/<hex inode of
 * /proc/self/ns/pid>` so that processes in other pid namespaces (containers)
 * are never taken for dead ones.
 */
export function lockHostPrefix(): string {
  if (hostPrefix === undefined) {
    let h = os.hostname();
    if (process.platform === 'linux') {
      try {
        h += '/' + fs.statSync('/proc/self/ns/pid', { bigint: true }).ino.toString(16);
      } catch {
        // no /proc, or no permission: host name only, as hg
      }
    }
    hostPrefix = h;
  }
  return hostPrefix;
}

/** This process's lock content: `<host prefix>:<pid>`. */
export function lockerId(pid: number = process.pid): string {
  return `${lockHostPrefix()}:${pid}`;
}

/** procutil.testpid: false only when the process certainly does not exist. */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** True when `locker` names a dead process on this host (hg's _lockshouldbebroken). */
function shouldBreak(locker: string | undefined): boolean {
  if (locker === undefined) return false;
  const i = locker.indexOf(':');
  if (i < 0) return false;
  if (locker.slice(0, i) !== lockHostPrefix()) return false;
  const pidText = locker.slice(i + 1);
  // Python's int(): optional sign and surrounding whitespace, decimal digits
  if (!/^\s*[+-]?\d+\s*$/.test(pidText)) return false;
  const pid = Number(pidText.trim());
  return !pidAlive(pid);
}

// ---------------------------------------------------------------------------
// Locks

export interface LockOptions {
  /**
   * Shown in messages: "working directory of <root>" (wlock) or
   * "repository <root>" (store lock).
   */
  desc: string;
  /** Seconds to wait (ui.timeout; default 600). 0: fail at once. */
  timeout?: number;
  /** Seconds after which the wait is reported through onWarn (ui.timeout.warn; default 0: at once). */
  warnTimeout?: number;
  /** Receives hg's warnings ("waiting for lock ...", "got lock after N seconds"), newline-terminated. */
  onWarn?: (message: string) => void;
  /** Receives hg's debug messages, newline-terminated. */
  onDebug?: (message: string) => void;
  /** Run after the lock is released (e.g. write the dirstate). */
  onRelease?: () => void;
  /** The process id written in the lock (tests). */
  pid?: number;
}

interface Held {
  locker: string;
}

/** A held lock. Release it exactly once (nested acquisitions count). */
export class Lock {
  private held = 1;
  private unregister: (() => void) | undefined;
  private readonly postRelease: Array<() => void> = [];

  private constructor(
    private readonly vfs: WritableVfs,
    readonly path: VfsPath,
    readonly desc: string,
    private readonly onRelease: (() => void) | undefined,
    readonly delay: number,
  ) {
    this.unregister = registerCleanup(() => this.forceRelease());
  }

  /**
   * Acquires the lock at `path`, waiting as hg does (one attempt per
   * second) up to `opts.timeout` seconds. Throws LockHeldError on timeout.
   */
  static async acquire(vfs: WritableVfs, path: VfsPath, opts: LockOptions): Promise<Lock> {
    const timeout = opts.timeout ?? 600;
    const warnTimeout = opts.warnTimeout ?? 0;
    const debugIdx = warnTimeout && timeout ? 0 : -1;
    let warningIdx = 0;
    if (!timeout) warningIdx = -1;
    else if (warnTimeout) warningIdx = warnTimeout;
    let delay = 0;
    for (;;) {
      const got = tryLock(vfs, path, opts);
      if (!('locker' in got)) break;
      const msg = waitingMessage(opts.desc, got.locker);
      if (delay === debugIdx) opts.onDebug?.(msg);
      if (delay === warningIdx) opts.onWarn?.(msg);
      if (timeout <= delay) throw lockHeldError(opts.desc, got.locker, true);
      await new Promise((r) => setTimeout(r, 1000));
      delay++;
    }
    if (delay) {
      const msg = `got lock after ${delay} seconds\n`;
      if (warningIdx >= 0 && warningIdx <= delay) opts.onWarn?.(msg);
      else opts.onDebug?.(msg);
    }
    return new Lock(vfs, path, opts.desc, opts.onRelease, delay);
  }

  /** One attempt, no waiting: the lock, or LockHeldError naming the holder ("lock held by ..."). */
  static tryAcquire(vfs: WritableVfs, path: VfsPath, opts: LockOptions): Lock {
    const got = tryLock(vfs, path, opts);
    if ('locker' in got) throw lockHeldError(opts.desc, got.locker, false);
    return new Lock(vfs, path, opts.desc, opts.onRelease, 0);
  }

  /** Takes the lock once more (released when every acquisition is released). */
  nest(): this {
    this.held++;
    return this;
  }

  get isHeld(): boolean {
    return this.held > 0;
  }

  /** Runs `fn` once the lock is fully released. */
  afterRelease(fn: () => void): void {
    this.postRelease.push(fn);
  }

  release(): void {
    if (this.held > 1) {
      this.held--;
      return;
    }
    if (this.held === 0) return;
    this.held = 0;
    this.unregister?.();
    this.unregister = undefined;
    try {
      this.onRelease?.();
    } finally {
      try {
        this.vfs.tryUnlink(this.path);
      } catch {
        // as hg: a lock file that cannot be removed is left
      }
    }
    for (const fn of this.postRelease.splice(0)) fn();
  }

  /** Release on interruption: removes the lock file whatever the nesting. */
  private forceRelease(): void {
    if (this.held === 0) return;
    this.held = 0;
    this.unregister = undefined;
    try {
      this.vfs.tryUnlink(this.path);
    } catch {
      // nothing more to do
    }
  }
}

function waitingMessage(desc: string, locker: string): string {
  const i = locker.indexOf(':');
  if (i >= 0) {
    return `waiting for lock on ${desc} held by process ${pyRepr(locker.slice(i + 1))} on host ${pyRepr(locker.slice(0, i))}\n`;
  }
  return `waiting for lock on ${desc} held by ${pyRepr(locker)}\n`;
}

/** LockHeldError with hg's texts ("timed out waiting for lock held by ..." / "lock held by ..."). */
function lockHeldError(desc: string, locker: string, timedOut: boolean): LockHeldError {
  const reason = timedOut ? `timed out waiting for lock held by ${pyRepr(locker)}` : `lock held by ${pyRepr(locker)}`;
  return new LockHeldError(`${desc}: ${reason}`, locker ? undefined : { hint: 'lock might be very busy' });
}

/** Python's repr of a byte string shown through pycompat.bytestr: '...' with escapes. */
function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + q;
}

function readLocker(vfs: WritableVfs, path: VfsPath): string | undefined {
  const b = vfs.readLock(path);
  return b === undefined ? undefined : latin1(b);
}

function joinSuffix(path: VfsPath, suffix: string): VfsPath {
  if (typeof path === 'string') return path + suffix;
  const s = fromLatin1(suffix);
  const out = new Uint8Array(path.length + s.length);
  out.set(path);
  out.set(s, path.length);
  return out;
}

/**
 * lock._trylock: up to 5 attempts to create the lock; an existing lock of a
 * dead local process is broken (under `<lock>.break`, as hg does, so two
 * processes never break a lock that one of them just took).
 */
function tryLock(vfs: WritableVfs, path: VfsPath, opts: LockOptions): Held | { ok: true } {
  const info = fromLatin1(lockerId(opts.pid));
  for (let retry = 5; retry > 0; retry--) {
    try {
      vfs.makeLock(path, info);
      return { ok: true };
    } catch (e) {
      if (!(e instanceof IoError) || e.errno !== 'EEXIST') {
        if (e instanceof IoError) {
          throw new LockHeldError(`could not lock ${opts.desc}: ${e.message.replace(/: '.*'$/, '')}`, { cause: e });
        }
        throw e;
      }
      let locker = readLocker(vfs, path);
      if (locker === undefined) continue; // vanished meanwhile: try again
      locker = testLock(vfs, path, locker);
      if (locker !== undefined) return { locker };
    }
  }
  // the lock keeps changing hands: "busy"
  return { locker: '' };
}

/** lock._testlock: the locker if the lock is valid; undefined after breaking a stale one. */
function testLock(vfs: WritableVfs, path: VfsPath, locker: string): string | undefined {
  if (!shouldBreak(locker)) return locker;
  const breakPath = joinSuffix(path, '.break');
  try {
    vfs.makeLock(breakPath, fromLatin1(lockerId()));
  } catch {
    return locker; // someone else is breaking it
  }
  try {
    const again = readLocker(vfs, path);
    if (!shouldBreak(again)) return again;
    vfs.tryUnlink(path);
    return undefined;
  } finally {
    vfs.tryUnlink(breakPath);
  }
}

/** The holder of the lock at `path` (`<host>:<pid>`), or undefined when it is free or stale. */
export function lockHolder(vfs: WritableVfs, path: VfsPath): string | undefined {
  const locker = readLocker(vfs, path);
  if (locker === undefined) return undefined;
  return shouldBreak(locker) ? undefined : locker;
}
