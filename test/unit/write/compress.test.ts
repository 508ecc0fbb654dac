// Chunk compression for writing (compress/engine.ts) against Mercurial's
// revlog.compress / revlog.decompress.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { compressChunk, compressChunkParts, compressionEngineFromRequirements, decompressChunk } from '../../../src/compress/engine.js';
import { toHex } from '../../../src/core/bytes.js';
import { hgInit, hgTools, rng } from './helpers.js';
import { removeTempDirs } from '../../helpers/hg.js';

function text(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const words = ['alpha ', 'beta ', 'gamma\n', 'delta ', 'epsilon\n'];
  let s = '';
  while (s.length < n) s += words[Math.floor(r() * words.length)];
  return Buffer.from(s.slice(0, n));
}

function random(n: number, seed: number, first?: number): Uint8Array {
  const r = rng(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  if (first !== undefined && n > 0) b[0] = first;
  return b;
}

describe('compressChunk', () => {
  let repo: string;
  beforeAll(() => {
    repo = hgInit();
  });
  afterAll(() => removeTempDirs());

  it('applies hg size thresholds: zlib from 44 bytes, zstd from 50', () => {
    const a43 = new Uint8Array(43).fill(0x61);
    const a44 = new Uint8Array(44).fill(0x61);
    expect(compressChunk(a43, 'zlib')[0]).toBe(0x75); // 'u'
    expect(compressChunk(a44, 'zlib')[0]).toBe(0x78); // 'x'
    const a49 = new Uint8Array(49).fill(0x61);
    const a50 = new Uint8Array(50).fill(0x61);
    expect(compressChunk(a49, 'zstd')[0]).toBe(0x75);
    expect(compressChunk(a50, 'zstd')[0]).toBe(0x28); // '(' zstd frame
    expect(compressChunk(a50, 'none')[0]).toBe(0x75);
  });

  it('stores raw data behind `u` unless it starts with NUL; empty stays empty', () => {
    const inc = random(1000, 1, 0x41);
    const c = compressChunk(inc, 'zstd');
    expect(c.length).toBe(1001);
    expect(c[0]).toBe(0x75);
    expect(Buffer.from(c.subarray(1)).equals(Buffer.from(inc))).toBe(true);
    const nul = random(1000, 2, 0);
    const p = compressChunkParts(nul, 'zlib');
    expect(p.header.length).toBe(0);
    expect(p.data).toBe(nul); // no copy
    expect(compressChunk(new Uint8Array(0), 'zstd').length).toBe(0);
    expect(compressChunk(new Uint8Array(0), 'zlib').length).toBe(0);
  });

  it('keeps compressed output only when strictly smaller', () => {
    // 44 random bytes: zlib output is larger
    const r44 = random(44, 3, 0x41);
    expect(compressChunk(r44, 'zlib')[0]).toBe(0x75);
  });

  it('takes the engine from the requirements (last one wins, zlib by default)', () => {
    expect(compressionEngineFromRequirements(['revlogv1', 'store'])).toBe('zlib');
    expect(compressionEngineFromRequirements(['revlog-compression-zstd'])).toBe('zstd');
    expect(compressionEngineFromRequirements(['exp-compression-none'])).toBe('none');
  });

  it('chooses the same chunk kind as hg, and hg decodes every chunk', () => {
    const inputs: Uint8Array[] = [];
    for (const n of [1, 10, 43, 44, 49, 50, 51, 60, 100, 200, 1000, 5000, 70000]) {
      inputs.push(text(n, n), random(n, n, 0x42), random(n, n + 1, 0));
    }
    inputs.push(text(1_500_000, 9)); // above hg's 1 MB streaming limit
    for (const engine of ['zlib', 'zstd'] as const) {
      const ours = inputs.map((d) => compressChunk(d, engine));
      const theirs = hgTools<Array<[string, string]>>(['compress', repo, engine], inputs.map((d) => toHex(d)));
      for (let i = 0; i < inputs.length; i++) {
        const n = inputs[i]!.length;
        const [h, d] = theirs[i]!;
        const hgChunk = Buffer.from(h + d, 'hex');
        // compressors may differ by a few bytes: compare the kind away from the break-even size
        if (Math.abs(hgChunk.length - n) > n * 0.05 + 4) {
          expect([engine, n, ours[i]![0]]).toEqual([engine, n, hgChunk[0]]);
        }
      }
      const decoded = hgTools<string[]>(['decompress', repo], ours.map((c) => toHex(c)));
      for (let i = 0; i < inputs.length; i++) {
        expect(decoded[i]).toBe(toHex(inputs[i]!));
        expect(Buffer.from(decompressChunk(ours[i]!)).equals(Buffer.from(inputs[i]!))).toBe(true);
      }
    }
  });
});
