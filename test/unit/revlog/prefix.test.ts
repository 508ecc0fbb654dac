// decompressPrefix: the start of a chunk's content without decoding all of it,
// for every chunk kind hg writes, against full decompression.
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompressChunk, decompressPrefix } from '../../../src/compress/engine.js';
import { zstdCompress } from '../../../src/compress/zstd.js';

function text(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = i % 61 === 60 ? 10 : 0x61 + ((x >>> 16) % 26);
  }
  return out;
}

describe('decompressPrefix', () => {
  for (const size of [41, 5000, 300_000, 2_500_000]) {
    const t = text(size);
    const kinds: [string, Uint8Array][] = [
      ['zstd', zstdCompress(t)],
      ['zlib', new Uint8Array(deflateSync(t))],
      ['raw u', Uint8Array.from([0x75, ...t.subarray(0, Math.min(size, 100_000))])],
    ];
    for (const [kind, chunk] of kinds) {
      it(`${kind}, ${size} bytes`, () => {
        const full = decompressChunk(chunk);
        for (const n of [1, 41, 4096]) {
          const p = decompressPrefix(chunk, n);
          if (n > full.length) expect(p).toBeUndefined();
          else expect(Buffer.from(p!).equals(Buffer.from(full.subarray(0, n)))).toBe(true);
        }
      });
    }
  }
  it('refuses what it cannot decode', () => {
    expect(decompressPrefix(new Uint8Array(0), 1)).toBeUndefined();
    expect(decompressPrefix(Uint8Array.of(0x28, 1, 2, 3), 1)).toBeUndefined();
    expect(decompressPrefix(Uint8Array.of(0x78, 1, 2, 3), 1)).toBeUndefined();
    expect(decompressPrefix(Uint8Array.of(0x41), 1)).toBeUndefined();
  });
});
