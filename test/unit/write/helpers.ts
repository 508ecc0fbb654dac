// Shared helpers of the write-path tests: repositories made by real hg in
// fresh temp dirs, Mercurial's own revlog code driven through hg-tools.py,
// hgkit revlog writers on those repositories, and an esbuild bundle of the
// CLI and of the crash-test child (placed under node_modules/.cache so that
// package resolution, e.g. of the zstd wasm, works as from dist/).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, makeTempDir, runProcessSync, testEnv } from '../../helpers/hg.js';
import { Revlog } from '../../../src/revlog/revlog.js';
import { RevlogWriter, revlogWriterOptions, type RevlogKind, type RevlogWriterOptions } from '../../../src/revlog/revlog-writer.js';
import { storeLayoutFromRequirements } from '../../../src/vfs/store-encoding.js';
import { NodeWritableVfs } from '../../../src/vfs/atomic-write.js';
import {
  resolveTxPath,
  type RepoTransactionTarget,
  type TransactionVfsMap,
} from '../../../src/store/transaction.js';

export const PY = '/usr/bin/python3';
export const HG_TOOLS = fileURLToPath(new URL('./hg-tools.py', import.meta.url));

export { makeTempDir, testEnv, REPO_ROOT };

/** Runs a command, throwing with its stderr when it fails. */
export function run(cmd: string, args: readonly string[], opts: { cwd?: string; input?: string | Uint8Array; env?: Record<string, string | undefined> } = {}): string {
  const r = runProcessSync(cmd, args, {
    cwd: opts.cwd ?? REPO_ROOT,
    input: typeof opts.input === 'string' ? Buffer.from(opts.input) : opts.input,
    env: opts.env,
  });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.toString()}`);
  return r.stdout.toString('latin1');
}

export function hg(cwd: string, ...args: string[]): string {
  return run('/usr/bin/hg', args, { cwd });
}

/** hg-tools.py (Mercurial's own code): dump, write, compress, decompress, bdiff. */
export function hgTools<T = unknown>(args: readonly string[], input?: unknown): T {
  const out = run(PY, [HG_TOOLS, ...args], { input: input === undefined ? undefined : JSON.stringify(input) });
  return JSON.parse(out) as T;
}

export interface DumpedRev {
  node: string;
  p1: number;
  p2: number;
  link: number;
  base: number;
  clen: number;
  ulen: number;
  flags: number;
  offset: number;
  sha: string;
  len: number;
  snapshot: boolean;
  chainlen: number;
}

export interface DumpedRevlog {
  radix: string;
  inline: boolean;
  generaldelta: boolean;
  version: number;
  flags: number;
  /** checksize(): extra data bytes, extra index bytes (0, 0 when healthy). */
  dd: number;
  di: number;
  revs: DumpedRev[];
}

/** Every revision of the revlogs, read (and hash-checked) by Mercurial. */
export function hgDump(repo: string, ...radixes: string[]): DumpedRevlog[] {
  return hgTools<DumpedRevlog[]>(['dump', repo, ...radixes]);
}

/** A repository made by `hg init` with extra --config options; returns its root. */
export function hgInit(config: readonly string[] = [], parent = makeTempDir('hgkit-write-')): string {
  const root = path.join(parent, 'r');
  hg(parent, 'init', ...config.flatMap((c) => ['--config', c]), 'r');
  return root;
}

/** The requirements of a repository (.hg/requires plus store/requires with share-safe). */
export function requirementsOf(root: string): Set<string> {
  const read = (p: string): string[] => (fs.existsSync(p) ? fs.readFileSync(p, 'latin1').split('\n').filter(Boolean) : []);
  return new Set([...read(path.join(root, '.hg/requires')), ...read(path.join(root, '.hg/store/requires'))]);
}

/** What transactions need of a repository, without opening it with Repository (any requirements). */
export function repoTarget(root: string, changelogLength = 0): RepoTransactionTarget {
  const requirements = requirementsOf(root);
  return {
    root,
    hgDir: path.join(root, '.hg'),
    storeDir: path.join(root, '.hg', 'store'),
    layout: storeLayoutFromRequirements(requirements),
    requirements,
    changelog: { length: changelogLength },
  };
}

export function vfsMap(root: string): TransactionVfsMap {
  const t = repoTarget(root);
  return { vfs: new NodeWritableVfs(), storeDir: t.storeDir, hgDir: t.hgDir, layout: t.layout };
}

/** An hgkit writer for the revlog `radix` of the repository at `root`. */
export function openWriter(root: string, radix: string, kind: RevlogKind, extra: Partial<RevlogWriterOptions> = {}): RevlogWriter {
  const map = vfsMap(root);
  const opts = { ...revlogWriterOptions(requirementsOf(root), kind), ...extra };
  const revlog = new Revlog(radix, { index: new Uint8Array(0), readData: () => undefined });
  return new RevlogWriter(revlog, radix, map.vfs, (f) => resolveTxPath(map, '', f), opts);
}

/** A deterministic pseudo-random generator (tests must be reproducible). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 1) / 0x80000000;
  };
}

export interface RevSpec {
  text: Uint8Array;
  p1: number;
  p2: number;
  link: number;
}

/**
 * A file history: each revision edits its first parent's lines (inserts,
 * deletions, replacements), mostly linear, with branches and merges.
 */
export function fileHistory(n: number, seed: number, opts: { lineLength?: number; edits?: number; branchy?: number; binary?: boolean } = {}): RevSpec[] {
  const rnd = rng(seed);
  const texts: string[][] = [];
  const out: RevSpec[] = [];
  const lineLength = opts.lineLength ?? 40;
  const maxEdits = opts.edits ?? 10;
  const branchy = opts.branchy ?? 0.2;
  const line = (): string => {
    let s = `line ${Math.floor(rnd() * 1e6)} `;
    const n = Math.floor(rnd() * lineLength);
    for (let i = 0; i < n; i++) s += opts.binary ? String.fromCharCode(Math.floor(rnd() * 256)) : 'abcdefghij'[Math.floor(rnd() * 10)]!;
    return s + '\n';
  };
  for (let i = 0; i < n; i++) {
    const p1 = i === 0 ? -1 : rnd() < 1 - branchy ? i - 1 : Math.floor(rnd() * i);
    const p2 = i > 2 && rnd() < branchy / 2 ? Math.floor(rnd() * i) : -1;
    const lines = p1 >= 0 ? texts[p1]!.slice() : [];
    const edits = 1 + Math.floor(rnd() * maxEdits);
    for (let e = 0; e < edits; e++) {
      const p = Math.floor(rnd() * (lines.length + 1));
      const r = rnd();
      if (r < 0.6) lines.splice(p, 0, line());
      else if (r < 0.8) lines.splice(p, 1);
      else lines.splice(p, 1, line());
    }
    texts.push(lines);
    out.push({ text: Buffer.from(lines.join(''), 'latin1'), p1, p2: p2 === p1 ? -1 : p2, link: i });
  }
  return out;
}

/** The file bytes of a store path (unencoded, simple names only). */
export function storeFile(root: string, storePath: string): Buffer | undefined {
  const p = path.join(root, '.hg', 'store', storePath);
  return fs.existsSync(p) ? fs.readFileSync(p) : undefined;
}

// ---------------------------------------------------------------------------
// Bundles for child processes

let bundleDir: string | undefined;

/**
 * Bundles the CLI (`cli.js`) and the crash-test child (`crash-child.js`) from
 * the sources with esbuild, once per test process. Returns the directory.
 */
export async function bundle(): Promise<string> {
  if (bundleDir) return bundleDir;
  const { build } = await import('esbuild');
  const dir = path.join(REPO_ROOT, 'node_modules', '.cache', `hgkit-write-tests-${process.pid}-${Date.now()}`);
  fs.mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: {
      cli: path.join(REPO_ROOT, 'src/cli/main.ts'),
      'crash-child': fileURLToPath(new URL('./crash-child.ts', import.meta.url)),
    },
    outdir: dir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  });
  bundleDir = dir;
  return dir;
}

/** Removes the bundle (call from afterAll). */
export function removeBundle(): void {
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
  bundleDir = undefined;
}

/** Runs the bundled hgkit CLI. */
export function hgkit(cwd: string, args: readonly string[]): { stdout: string; stderr: string; code: number } {
  if (!bundleDir) throw new Error('call bundle() first');
  const r = runProcessSync(process.execPath, [path.join(bundleDir, 'cli.js'), ...args], { cwd });
  return { stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('latin1'), code: r.code };
}

export { testEnv as hgTestEnv };

/** os.path.lexists: true for a dangling symlink too (locks are symlinks to `<host>:<pid>`). */
export function lexists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
