// Whole-process timing, shared by the end-to-end benchmarks (read path, status, tree...).
//
//   const r = compare([
//     { name: 'hg', cmd: HG, args: ['manifest'], cwd },
//     { name: 'hgkit', cmd: NODE, args: [HGKIT_BIN, 'manifest'], cwd },
//   ], { runs: 10 });
//   r.hg.median, r.hgkit.median, r.hgkit.sameOutputAs  (ms)
//
// Each contender first runs once untimed (warm-up: page cache, hg's caches) with its
// output captured, so outputs can be compared; then the timed rounds alternate the
// contenders (and rotate who goes first) so that machine noise hits all of them alike.
// Timed runs send stdout to /dev/null, as a user piping to a file would not pay for
// a terminal either.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { benchEnv } from './env.mjs';

let devNull;
function nullFd() {
  devNull ??= openSync('/dev/null', 'w');
  return devNull;
}

export function closeTiming() {
  if (devNull !== undefined) closeSync(devNull);
  devNull = undefined;
}

/**
 * Runs one process to completion. Returns { ms, code, stderr, stdout? } where ms is
 * the wall time from spawn to exit; stdout is kept only with { capture: true }.
 */
export function runOnce({ cmd, args, cwd, env, input }, { capture = false, timeoutMs = 30 * 60_000 } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd,
    env: env ?? benchEnv(),
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', capture ? 'pipe' : nullFd(), 'pipe'],
    maxBuffer: 1 << 30,
    timeout: timeoutMs,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  return { ms, code: r.status ?? 128, stderr: r.stderr ?? Buffer.alloc(0), stdout: capture ? r.stdout : undefined };
}

export function median(xs) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function summarize(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    runs: s.length,
    median: median(s),
    min: s[0] ?? NaN,
    max: s[s.length - 1] ?? NaN,
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
  };
}

function digest(buf) {
  return createHash('sha1').update(buf).digest('hex');
}

/**
 * Times several contenders on the same job. Each contender is
 * { name, cmd, args, cwd?, env?, expectCode? (default 0), optional? }.
 * Returns { [name]: { ...summary, samples, code, ok, error?, outputDigest, outputBytes, sameOutputAs } }.
 * A contender whose warm-up exits with an unexpected code is not timed (ok: false,
 * error: its first stderr line). With { warmupCounts: true } the warm-up run (stdout
 * to a pipe) is one of the `runs` samples: for slow commands. `sameOutputAs` tells, for every contender, whether its
 * warm-up stdout equals that of `reference` (default: the first contender).
 */
export function compare(contenders, { runs = 10, reference, onProgress, warmupCounts = false } = {}) {
  const result = {};
  const live = [];
  for (const c of contenders) {
    const warm = runOnce(c, { capture: true });
    const expected = c.expectCode ?? 0;
    const ok = warm.code === expected;
    result[c.name] = {
      ok,
      code: warm.code,
      error: ok ? undefined : warm.stderr.toString('utf8').split('\n').find((l) => l.trim()) ?? `exit ${warm.code}`,
      outputDigest: digest(warm.stdout),
      outputBytes: warm.stdout.length,
      samples: ok && warmupCounts ? [warm.ms] : [],
    };
    if (ok) live.push(c);
  }
  const refName = reference ?? contenders[0]?.name;
  const ref = result[refName];
  for (const c of contenders) {
    const r = result[c.name];
    r.sameOutputAs = ref && ref.ok && r.ok ? r.outputDigest === ref.outputDigest : undefined;
  }
  const rounds = warmupCounts ? runs - 1 : runs;
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < live.length; j++) {
      const c = live[(round + j) % live.length];
      const r = runOnce(c);
      if (r.code !== (c.expectCode ?? 0)) {
        throw new Error(`${c.name}: \`${[c.cmd, ...c.args].join(' ')}\` exited ${r.code}: ${r.stderr.toString()}`);
      }
      result[c.name].samples.push(r.ms);
    }
    onProgress?.(round + 1, rounds);
  }
  for (const c of contenders) Object.assign(result[c.name], summarize(result[c.name].samples));
  return result;
}

/** "123 ms", "1.23 s", "4.5 ms" — compact, fixed-ish width. */
export function formatMs(ms) {
  if (ms === undefined || Number.isNaN(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

export function formatRatio(a, b) {
  if (a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b) || b === 0) return '–';
  return `${(a / b).toFixed(2)}×`;
}
