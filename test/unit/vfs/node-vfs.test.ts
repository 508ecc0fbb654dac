// NodeVfs: byte paths, errors with errno, stat and readdir checked against
// Python's os module (what hg sees).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromLatin1, latin1 } from '../../../src/core/bytes.js';
import { IoError } from '../../../src/core/errors.js';
import { NodeVfs } from '../../../src/vfs/node-vfs.js';

let tmp: string;
let tmpBytes: Buffer;

// a file name that is not valid UTF-8
const WEIRD = fromLatin1('caf\xe9 \xff\x01.txt');

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hgkit-vfs-'));
  tmpBytes = Buffer.from(tmp);
  fs.mkdirSync(path.join(tmp, 'dir/sub'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'dir/file.txt'), 'hello\n');
  fs.writeFileSync(path.join(tmp, 'dir/empty'), '');
  fs.writeFileSync(Buffer.concat([tmpBytes, Buffer.from('/dir/'), WEIRD]), 'weird\n');
  fs.symlinkSync('file.txt', path.join(tmp, 'dir/link'));
  fs.symlinkSync('missing-target', path.join(tmp, 'dir/dangling'));
  fs.symlinkSync('sub', path.join(tmp, 'dir/dirlink'));
  fs.chmodSync(path.join(tmp, 'dir/file.txt'), 0o755);
  // a known sub-second mtime
  fs.utimesSync(path.join(tmp, 'dir/empty'), 1_700_000_000.25, 1_700_000_000.123456);
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function py(script: string, arg: string): unknown {
  const r = spawnSync('/usr/bin/python3', ['-c', script, arg], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IoError);
    return (e as IoError).errno;
  }
  return 'no error';
}

describe('NodeVfs', () => {
  it('reads with string and byte paths, relative to the base or absolute', () => {
    const vfs = new NodeVfs(tmp);
    expect(latin1(vfs.read('dir/file.txt'))).toBe('hello\n');
    expect(latin1(vfs.read(fromLatin1('dir/file.txt')))).toBe('hello\n');
    // a view into a larger buffer is honoured (offset and length)
    const big = fromLatin1('XXdir/file.txtYY');
    expect(latin1(vfs.read(big.subarray(2, 14)))).toBe('hello\n');
    expect(latin1(vfs.read(Buffer.concat([Buffer.from('dir/'), WEIRD])))).toBe('weird\n');
    expect(latin1(vfs.read(path.join(tmp, 'dir/file.txt')))).toBe('hello\n');
    const rootless = new NodeVfs();
    expect(latin1(rootless.read(path.join(tmp, 'dir/file.txt')))).toBe('hello\n');
    const byteBase = new NodeVfs(Buffer.concat([tmpBytes, Buffer.from('/dir')]));
    expect(latin1(byteBase.read(WEIRD))).toBe('weird\n');
    expect(latin1(byteBase.read('file.txt'))).toBe('hello\n');
    // the result is a Uint8Array (a Buffer)
    expect(vfs.read('dir/file.txt')).toBeInstanceOf(Uint8Array);
    expect(vfs.read('dir/empty').length).toBe(0);
  });

  it('throws IoError with errno and an hg-like message', () => {
    const vfs = new NodeVfs(tmp);
    expect(codeOf(() => vfs.read('nope'))).toBe('ENOENT');
    expect(codeOf(() => vfs.read('dir'))).toBe('EISDIR');
    expect(codeOf(() => vfs.read('dir/file.txt/x'))).toBe('ENOTDIR');
    expect(codeOf(() => vfs.read('dir/dangling'))).toBe('ENOENT');
    try {
      vfs.read('nope');
    } catch (e) {
      const err = e as IoError;
      expect(err.code).toBe('IO');
      expect(err.op).toBe('read');
      expect(err.path).toBe(path.join(tmp, 'nope'));
      expect(err.message).toBe(`No such file or directory: '${path.join(tmp, 'nope')}'`);
    }
    expect(codeOf(() => vfs.stat('nope'))).toBe('ENOENT');
    expect(codeOf(() => vfs.readdir('dir/file.txt'))).toBe('ENOTDIR');
    expect(codeOf(() => vfs.readdir('nope'))).toBe('ENOENT');
  });

  it('tryRead / tryStat: undefined only for missing paths', () => {
    const vfs = new NodeVfs(tmp);
    expect(vfs.tryRead('nope')).toBeUndefined();
    expect(vfs.tryRead('dir/file.txt/x')).toBeUndefined();
    expect(vfs.tryRead(fromLatin1('dir/missing'))).toBeUndefined();
    expect(latin1(vfs.tryRead('dir/link')!)).toBe('hello\n');
    expect(codeOf(() => vfs.tryRead('dir'))).toBe('EISDIR');
    expect(vfs.tryStat('nope')).toBeUndefined();
    expect(vfs.tryStat('dir/file.txt/x')).toBeUndefined();
    expect(vfs.tryStat('dir/file.txt')?.size).toBe(6);
  });

  it('exists / isDir / isFile follow symlinks like os.path', () => {
    const vfs = new NodeVfs(tmp);
    expect(vfs.exists('dir/file.txt')).toBe(true);
    expect(vfs.exists('dir/link')).toBe(true);
    expect(vfs.exists('dir/dangling')).toBe(false);
    expect(vfs.exists('nope')).toBe(false);
    expect(vfs.exists(Buffer.concat([Buffer.from('dir/'), WEIRD]))).toBe(true);
    expect(vfs.isDir('dir')).toBe(true);
    expect(vfs.isDir('dir/dirlink')).toBe(true);
    expect(vfs.isDir('dir/file.txt')).toBe(false);
    expect(vfs.isDir('nope')).toBe(false);
    expect(vfs.isFile('dir/link')).toBe(true);
    expect(vfs.isFile('dir')).toBe(false);
    expect(vfs.isDir('')).toBe(true); // the base itself
  });

  it('stat is lstat and matches os.lstat', () => {
    const vfs = new NodeVfs(tmp);
    const names = ['dir/file.txt', 'dir/empty', 'dir/link', 'dir/dangling', 'dir', 'dir/dirlink'];
    const want = py(
      `import json, os, sys
base = sys.argv[1]
out = []
for n in ${JSON.stringify(names)}:
    st = os.lstat(os.path.join(base, n))
    out.append([st.st_size, st.st_mode, str(st.st_mtime_ns)])
print(json.dumps(out))`,
      tmp,
    ) as [number, number, string][];
    names.forEach((n, i) => {
      const st = vfs.stat(n);
      const [size, mode, mtimeNs] = want[i]!;
      expect({ n, size: st.size, mode: st.mode, mtime: BigInt(st.mtimeSec) * 1_000_000_000n + BigInt(st.mtimeNsec) }).toEqual({
        n,
        size,
        mode,
        mtime: BigInt(mtimeNs),
      });
    });
    expect(vfs.stat('dir/link').isSymlink).toBe(true);
    expect(vfs.stat('dir/link').isFile).toBe(false);
    expect(vfs.stat('dir').isDir).toBe(true);
    expect(vfs.stat('dir/file.txt').mode & 0o777).toBe(0o755);
    const e = vfs.stat('dir/empty');
    expect(e.mtimeSec).toBe(1_700_000_000);
    expect(e.mtimeNsec).toBeGreaterThan(100_000_000);
    expect(e.mtimeNsec).toBeLessThan(1_000_000_000);
  });

  it('readdir gives byte names and entry types, like os.listdir + lstat', () => {
    const vfs = new NodeVfs(tmp);
    const ents = vfs.readdir('dir');
    const got = ents.map((d) => [latin1(d.name), d.type] as const).sort();
    const want = (
      py(
        `import json, os, stat, sys
d = os.fsencode(sys.argv[1])
out = []
for n in os.listdir(d):
    m = os.lstat(os.path.join(d, n)).st_mode
    t = 'symlink' if stat.S_ISLNK(m) else 'dir' if stat.S_ISDIR(m) else 'file' if stat.S_ISREG(m) else 'other'
    out.append([n.decode('latin1'), t])
print(json.dumps(out))`,
        path.join(tmp, 'dir'),
      ) as [string, string][]
    ).sort();
    expect(got).toEqual(want);
    expect(got.some(([n]) => n === latin1(WEIRD))).toBe(true);
    expect(ents[0]!.name).toBeInstanceOf(Uint8Array);
  });

  it('join: strings stay strings, bytes give bytes, absolute parts restart', () => {
    const vfs = new NodeVfs('/base');
    expect(vfs.join('a', 'b')).toBe('/base/a/b');
    expect(vfs.join('')).toBe('/base');
    expect(vfs.join('/abs', 'x')).toBe('/abs/x');
    expect(vfs.join('a/', 'b')).toBe('/base/a/b');
    expect(latin1(vfs.join(fromLatin1('a\xff'), 'b') as Uint8Array)).toBe('/base/a\xff/b');
    expect(new NodeVfs().join('a', 'b')).toBe('a/b');
    expect(latin1(new NodeVfs(fromLatin1('/x')).join('y') as Uint8Array)).toBe('/x/y');
  });
});
