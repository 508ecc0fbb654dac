// Paths and the controlled environment shared by the end-to-end benchmarks.
import { existsSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The hgkit checkout (bench/lib/ is two levels down). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Generated repositories and raw results live here (git-ignored). */
export const WORK_DIR = path.join(REPO_ROOT, 'bench', '.work');
export const HGKIT_BIN = path.join(REPO_ROOT, 'bin', 'hgkit');
export const HG = process.env.HGKIT_BENCH_HG ?? (existsSync('/usr/bin/hg') ? '/usr/bin/hg' : 'hg');
export const GIT = process.env.HGKIT_BENCH_GIT ?? 'git';
export const NODE = process.execPath;

/**
 * The same environment as the conformance tests: no user or system hg/git
 * configuration, plain output, UTC, UTF-8.
 */
export function benchEnv(extra = {}) {
  const env = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR']) if (process.env[key] !== undefined) env[key] = process.env[key];
  Object.assign(env, {
    HGPLAIN: '1',
    HGUSER: 'test',
    TZ: 'UTC',
    HGRCPATH: '/dev/null',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    HGENCODING: 'utf-8',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_PAGER: 'cat',
    GIT_TERMINAL_PROMPT: '0',
  });
  return Object.assign(env, extra);
}

/** True when the hgkit CLI has been built (bin/hgkit loads dist/cli.js). */
export function hgkitBuilt() {
  return existsSync(path.join(REPO_ROOT, 'dist', 'cli.js'));
}

function firstLine(cmd, args) {
  try {
    return execFileSync(cmd, args, { env: benchEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')[0]
      .trim();
  } catch {
    return 'unavailable';
  }
}

/** Versions and machine facts for the report header. */
export async function machineInfo() {
  const os = await import('node:os');
  const cpus = os.cpus();
  return {
    node: process.version,
    hg: firstLine(HG, ['--version']).replace(/^Mercurial Distributed SCM \(version (.*)\)$/, '$1'),
    git: firstLine(GIT, ['--version']).replace(/^git version /, ''),
    cpu: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
    os: `${os.type()} ${os.release()}`,
    load: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

/** Runs `cmd args` to completion in the benchmark environment; throws when it fails. */
export function runChecked(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { env: benchEnv(), maxBuffer: 1 << 30, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`\`${cmd} ${args.join(' ')}\` failed (${r.status}): ${r.stderr?.toString() ?? ''}`);
  return r;
}
