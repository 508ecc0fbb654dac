// Test helpers that run real Mercurial and the hgkit CLI side by side under a
// controlled environment, and report the first difference between the two.
//
// Environment knobs (all optional):
//   HGKIT_TEST_HG        path of the hg executable (default /usr/bin/hg, else `hg` on PATH)
//   HGKIT_TEST_HG_MODE   `server` (default): hg commands on a fixture run through one
//                        `hg serve --cmdserver pipe` process per repository, which removes
//                        hg's ~80 ms start-up per command; `process`: one hg process per
//                        command, exactly as a user runs it. read-harness.test.ts checks
//                        that both give the same bytes.
//   HGKIT_TEST_HG_ONLY=1 conformance tests run and check only the hg side (harness check).

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RunResult {
  stdout: Buffer;
  stderr: Buffer;
  code: number;
}

export interface RunOptions {
  /** Working directory of the command. */
  cwd: string;
  /** Extra environment entries; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Bytes fed to stdin (default: none, stdin is closed). */
  input?: Uint8Array;
  /** Kill the command after this many milliseconds (default 120 s). */
  timeoutMs?: number;
}

/** Root of the hgkit checkout, found relative to this file (test/helpers/hg.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The hgkit launcher that users run (`bin/hgkit`, which loads dist/cli.js). */
export const HGKIT_BIN = path.join(REPO_ROOT, 'bin', 'hgkit');

export const HG_BIN: string =
  process.env['HGKIT_TEST_HG'] ?? (fs.existsSync('/usr/bin/hg') ? '/usr/bin/hg' : 'hg');

export type HgMode = 'server' | 'process';
export const DEFAULT_HG_MODE: HgMode = process.env['HGKIT_TEST_HG_MODE'] === 'process' ? 'process' : 'server';
export const HG_ONLY: boolean = process.env['HGKIT_TEST_HG_ONLY'] === '1';

/**
 * The controlled environment: nothing from the caller's hg configuration, locale or
 * time zone leaks in. Only PATH, HOME and TMPDIR are inherited.
 */
export function testEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT']) {
    const v = process.env[key];
    if (v !== undefined) env[key] = v;
  }
  Object.assign(env, {
    HGPLAIN: '1',
    HGUSER: 'test',
    TZ: 'UTC',
    HGRCPATH: '/dev/null',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    HGENCODING: 'utf-8',
    HGENCODINGMODE: 'strict',
  });
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

// ---------------------------------------------------------------------------
// Temporary directories

const tempDirs = new Set<string>();

/** A fresh directory under os.tmpdir(); removed by removeTempDirs() or at exit. */
export function makeTempDir(prefix = 'hgkit-test-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  tempDirs.delete(dir);
  // A command server that is still exiting may write its caches while the tree
  // goes away (ENOTEMPTY): retry, and never fail a suite over a leftover temp dir.
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  } catch {
    // left for the OS to clean
  }
}

export function removeTempDirs(): void {
  for (const dir of [...tempDirs]) removeTempDir(dir);
}

/** Writes an hgrc with `text` into a temp dir and returns its path (for HGRCPATH). */
export function writeHgrc(text: string): string {
  const file = path.join(makeTempDir('hgkit-hgrc-'), 'hgrc');
  fs.writeFileSync(file, text);
  return file;
}

// ---------------------------------------------------------------------------
// Running processes

/** Runs a command asynchronously and collects its output as bytes. */
export function runProcess(command: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: testEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        code: code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : -1),
      });
    });
    child.stdin.on('error', () => {
      /* the command may exit before reading its input */
    });
    child.stdin.end(opts.input ?? undefined);
  });
}

/** Synchronous variant, for setup code. */
export function runProcessSync(command: string, args: readonly string[], opts: RunOptions): RunResult {
  const r = spawnSync(command, args, {
    cwd: opts.cwd,
    env: testEnv(opts.env),
    input: opts.input,
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 1 << 30,
  });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? 128 };
}

/** Runs a bash script in `cwd` (test set-up: hg commands building a history); throws on failure. */
export function runScriptSync(cwd: string, script: string): void {
  const r = runProcessSync('bash', ['-c', script], { cwd });
  if (r.code !== 0) throw new Error(`script failed: ${r.stderr.toString()}`);
}

/** `hg init [--config C]... DIR` (relative to `cwd`); throws on failure. */
export function hgInitSync(cwd: string, dir: string, ...config: string[]): void {
  const r = runProcessSync(HG_BIN, ['init', ...config.flatMap((c) => ['--config', c]), dir], { cwd });
  if (r.code !== 0) throw new Error(r.stderr.toString());
}

/** Real hg as one process. */
export function runHg(args: readonly string[], opts: RunOptions): Promise<RunResult> {
  return runProcess(HG_BIN, args, opts);
}

export function runHgSync(args: readonly string[], opts: RunOptions): RunResult {
  return runProcessSync(HG_BIN, args, opts);
}

/** The hgkit CLI as a user runs it: `node bin/hgkit ARGS`. */
export function runHgkit(args: readonly string[], opts: RunOptions): Promise<RunResult> {
  return runProcess(process.execPath, [HGKIT_BIN, ...args], opts);
}

// ---------------------------------------------------------------------------
// hg command server (`hg serve --cmdserver pipe`): one Python process per
// repository, many commands. Protocol: mercurial/commandserver.py. Each server
// message is a channel byte, a big-endian u32 length and the data; `o`/`e` are
// stdout/stderr, `r` the result (i32 exit code). Upper-case channels (I, L) ask
// for input, which we never provide (0-length answer = EOF).

interface PendingCommand {
  args: readonly string[];
  resolve: (r: RunResult) => void;
  reject: (e: Error) => void;
}

export class HgCommandServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer: Buffer = Buffer.alloc(0);
  private hello: Promise<void>;
  private helloDone: (() => void) | undefined;
  private helloFail: ((e: Error) => void) | undefined;
  private queue: PendingCommand[] = [];
  private current: PendingCommand | undefined;
  private out: Buffer[] = [];
  private err: Buffer[] = [];
  private serverStderr: Buffer[] = [];
  private dead: Error | undefined;

  constructor(readonly repoDir: string, env: Record<string, string | undefined> = {}) {
    this.child = spawn(HG_BIN, ['serve', '--cmdserver', 'pipe'], {
      cwd: repoDir,
      env: testEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.hello = new Promise((resolve, reject) => {
      this.helloDone = resolve;
      this.helloFail = reject;
    });
    this.hello.catch(() => undefined);
    this.child.stdout.on('data', (b: Buffer) => this.onData(b));
    this.child.stderr.on('data', (b: Buffer) => this.serverStderr.push(b));
    this.child.stdin.on('error', () => undefined);
    this.child.on('error', (e) => this.fail(e));
    this.child.on('close', (code) => {
      this.fail(
        new Error(
          `hg command server in ${repoDir} exited (code ${code}): ` + Buffer.concat(this.serverStderr).toString(),
        ),
      );
    });
  }

  /** Runs one hg command (arguments without the leading `hg`). Commands are serialised. */
  run(args: readonly string[]): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      if (this.dead) return reject(this.dead);
      this.queue.push({ args, resolve, reject });
      void this.hello.then(
        () => this.pump(),
        (e: Error) => reject(e),
      );
    });
  }

  close(): void {
    if (!this.dead) this.dead = new Error('hg command server closed');
    this.child.stdin.end();
    this.child.kill();
  }

  private pump(): void {
    if (this.current || this.dead) return;
    const next = this.queue.shift();
    if (!next) return;
    this.current = next;
    this.out = [];
    this.err = [];
    const payload = Buffer.from(next.args.join('\0'), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(payload.length);
    this.child.stdin.write(Buffer.concat([Buffer.from('runcommand\n'), len, payload]));
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (this.buffer.length < 5) return;
      const channel = String.fromCharCode(this.buffer[0]!);
      const length = this.buffer.readUInt32BE(1);
      if (channel === 'I' || channel === 'L') {
        // input request: the length is the wanted size, no data follows. Answer EOF.
        this.buffer = this.buffer.subarray(5);
        this.child.stdin.write(Buffer.alloc(4));
        continue;
      }
      if (this.buffer.length < 5 + length) return;
      const data = this.buffer.subarray(5, 5 + length);
      this.buffer = this.buffer.subarray(5 + length);
      this.onMessage(channel, Buffer.from(data));
    }
  }

  private onMessage(channel: string, data: Buffer): void {
    if (this.helloDone) {
      // first message: the hello on channel o
      const done = this.helloDone;
      this.helloDone = undefined;
      this.helloFail = undefined;
      if (!data.toString('latin1').includes('runcommand')) {
        this.fail(new Error(`unexpected hg command server hello: ${data.toString('latin1')}`));
        return;
      }
      done();
      return;
    }
    const cur = this.current;
    if (!cur) return;
    if (channel === 'o') this.out.push(data);
    else if (channel === 'e') this.err.push(data);
    else if (channel === 'r') {
      this.current = undefined;
      cur.resolve({ stdout: Buffer.concat(this.out), stderr: Buffer.concat(this.err), code: data.readInt32BE(0) });
      this.pump();
    } else if (channel === channel.toUpperCase() && channel !== channel.toLowerCase()) {
      this.fail(new Error(`hg command server: unsupported required channel ${channel}`));
    }
    // other lower-case channels (d = debug, m = message) are optional: ignored
  }

  private fail(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    this.helloFail?.(e);
    this.helloDone = undefined;
    this.current?.reject(e);
    this.current = undefined;
    for (const q of this.queue.splice(0)) q.reject(e);
  }
}

const servers = new Map<string, HgCommandServer>();

/** The command server for `repoDir` (started on first use, shared). */
export function hgServerFor(repoDir: string): HgCommandServer {
  let s = servers.get(repoDir);
  if (!s) {
    s = new HgCommandServer(repoDir);
    servers.set(repoDir, s);
  }
  return s;
}

export function stopHgServer(repoDir: string): void {
  servers.get(repoDir)?.close();
  servers.delete(repoDir);
}

export function stopHgServers(): void {
  for (const dir of [...servers.keys()]) stopHgServer(dir);
}

process.on('exit', () => {
  for (const s of servers.values()) s.close();
  for (const dir of [...tempDirs]) removeTempDir(dir);
});

// ---------------------------------------------------------------------------
// Comparing hg with hgkit

export interface ComparePair {
  args: readonly string[];
  hg: RunResult;
  /** undefined when HGKIT_TEST_HG_ONLY=1 */
  hgkit: RunResult | undefined;
}

export interface CompareOptions {
  /** How to run hg: see HGKIT_TEST_HG_MODE. Error cases on broken repositories use `process`. */
  hgMode?: HgMode;
  env?: Record<string, string | undefined>;
  /** Only run hg (default: HGKIT_TEST_HG_ONLY). */
  hgOnly?: boolean;
}

/** Runs `hg ARGS` and `hgkit ARGS` in `repoDir` and returns both results. */
export async function compareWithHg(
  repoDir: string,
  args: readonly string[],
  opts: CompareOptions = {},
): Promise<ComparePair> {
  const mode = opts.env ? 'process' : (opts.hgMode ?? DEFAULT_HG_MODE);
  const hg =
    mode === 'server' ? await hgServerFor(repoDir).run(args) : await runHg(args, { cwd: repoDir, env: opts.env });
  const hgkit = (opts.hgOnly ?? HG_ONLY) ? undefined : await runHgkit(args, { cwd: repoDir, env: opts.env });
  return { args, hg, hgkit };
}

/**
 * Printable form of one output line: quoted, UTF-8 shown as is where valid, control
 * and invalid bytes as \xNN; a line without its final newline is marked.
 */
export function showLine(line: Buffer | undefined): string {
  if (line === undefined) return '<end of output>';
  const hasNewline = line.length > 0 && line[line.length - 1] === 0x0a;
  const body = hasNewline ? line.subarray(0, line.length - 1) : line;
  const esc = (c: number): string =>
    c === 9 ? '\\t' : c === 13 ? '\\r' : c === 0x5c ? '\\\\' : `\\x${c.toString(16).padStart(2, '0')}`;
  let s = '';
  const text = body.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(body)) {
    for (const ch of text) {
      const c = ch.codePointAt(0)!;
      s += c < 0x20 || c === 0x7f || c === 0x5c ? esc(c) : ch;
    }
  } else {
    for (const c of body) s += c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : esc(c);
  }
  return `'${s}'` + (hasNewline ? '' : ' (no newline at end)');
}

function splitLines(b: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = b.indexOf(0x0a, start);
    if (nl < 0) {
      if (start < b.length) lines.push(b.subarray(start));
      return lines;
    }
    lines.push(b.subarray(start, nl + 1));
    start = nl + 1;
  }
}

/**
 * undefined when equal; otherwise a short report of the first differing line
 * (1-based line number and byte offset, both lines escaped) and the sizes.
 */
export function describeDifference(what: string, expected: Buffer, actual: Buffer): string | undefined {
  if (expected.equals(actual)) return undefined;
  const e = splitLines(expected);
  const a = splitLines(actual);
  let i = 0;
  let offset = 0;
  while (i < e.length && i < a.length && e[i]!.equals(a[i]!)) {
    offset += e[i]!.length;
    i++;
  }
  return (
    `${what} differs at line ${i + 1} (byte ${offset}):\n` +
    `    hg:    ${showLine(e[i])}\n` +
    `    hgkit: ${showLine(a[i])}\n` +
    `  (hg: ${e.length} lines, ${expected.length} bytes; hgkit: ${a.length} lines, ${actual.length} bytes)`
  );
}

function firstLine(b: Buffer): Buffer {
  const nl = b.indexOf(0x0a);
  return nl < 0 ? b : b.subarray(0, nl + 1);
}

export interface ExpectOptions {
  /** What to compare of stderr: nothing (default when hg exits 0), its first line, or all of it. */
  stderr?: 'none' | 'first-line' | 'full';
  /** The exit code hg must give, so that a broken case is reported as such (default 0). */
  hgCode?: number;
  /** Compare stdout (default true). */
  stdout?: boolean;
}

/** Throws a readable error unless hgkit's output equals hg's. */
export function expectSameAsHg(pair: ComparePair, opts: ExpectOptions = {}): void {
  const { hg, hgkit } = pair;
  const cmd = `hg ${pair.args.join(' ')}`;
  const hgCode = opts.hgCode ?? 0;
  if (hg.code !== hgCode) {
    throw new Error(
      `harness: \`${cmd}\` exited ${hg.code} under real hg, expected ${hgCode}\n` +
        `  hg stderr: ${showLine(firstLine(hg.stderr))}`,
    );
  }
  if (!hgkit) return;
  const problems: string[] = [];
  if (hgkit.code !== hg.code) problems.push(`exit code differs: hg ${hg.code}, hgkit ${hgkit.code}`);
  if (opts.stdout !== false) {
    const d = describeDifference('stdout', hg.stdout, hgkit.stdout);
    if (d) problems.push(d);
  }
  const stderrMode = opts.stderr ?? (hgCode === 0 ? 'none' : 'first-line');
  if (stderrMode === 'full') {
    const d = describeDifference('stderr', hg.stderr, hgkit.stderr);
    if (d) problems.push(d);
  } else if (stderrMode === 'first-line') {
    const d = describeDifference('stderr (first line)', firstLine(hg.stderr), firstLine(hgkit.stderr));
    if (d) problems.push(d);
  }
  if (problems.length) {
    let msg = `\`${cmd}\`: hgkit differs from hg\n  ` + problems.join('\n  ');
    if (hgkit.code !== hg.code && hgkit.stderr.length && stderrMode !== 'full') {
      const lines = splitLines(hgkit.stderr).slice(0, 6).map((l) => '    ' + showLine(l));
      msg += `\n  hgkit stderr:\n${lines.join('\n')}`;
    }
    const err = new Error(msg);
    err.stack = msg; // the stack of the helper is noise; the message says it all
    throw err;
  }
}
