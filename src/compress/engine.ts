// Revlog chunk encoding and decoding. Decoding dispatches on the chunk's
// first byte as hg's revlog.decompress does; encoding follows hg's
// revlog.compress and the engines' revlogcompressor rules (formats.md §2.4).
import { nodeZlib } from '../core/builtin.js';
import { decompress as zstdDecompress } from 'fzstd';
import { StorageError } from '../core/errors.js';
import { ZSTD_DEFAULT_LEVEL, zstdCompress, zstdDecompressWasm, zstdWasmLoaded } from './zstd.js';

/**
 * zstd decoding: the WebAssembly build decodes fast but costs ~10 ms to set up
 * in a fresh process; the pure-JS decoder (fzstd) needs no set-up but runs at
 * slowly until the JIT warms up, the more so the larger the frame. So a
 * command decodes small frames (tree-manifest directories, small changesets)
 * in JS and moves to WebAssembly at its first frame of 16 KB or more (a
 * changeset listing a thousand files, a flat manifest) or once JS has decoded
 * 256 KB (a read of hundreds of directories); a status touching a few
 * directories never pays the set-up (all measured on the 100k benchmarks).
 */
const WASM_ZSTD_MIN = 1024;
const WASM_ZSTD_FRAME = 16 << 10;
const JS_ZSTD_BUDGET = 256 << 10;
let jsZstdBytes = 0;

const EMPTY = new Uint8Array(0);
const U_HEADER = new Uint8Array([0x75]); // 'u'

/** Compression engines a revlog can be written with (`revlog-compression-<name>` requirements; zlib is the default). */
export type CompressionEngine = 'zstd' | 'zlib' | 'none';

export interface CompressOptions {
  /** zlib level 0..9 (`storage.revlog.zlib.level`); default: zlib's own default (6), as hg. */
  zlibLevel?: number;
  /** zstd level (`storage.revlog.zstd.level`); default 3, as hg. */
  zstdLevel?: number;
  /**
   * A zlib compressor to use instead of node:zlib (whose bundled zlib fork
   * gives other bytes than hg's): e.g. diff/deflate.ts's zlibCompress, a port
   * of zlib 1.2.13's level 6, for chunks byte-identical to hg's.
   */
  zlib?: (data: Uint8Array) => Uint8Array;
}

/** The engine named by a repository's requirements: the last `revlog-compression-*` / `exp-compression-*` one, else zlib. */
export function compressionEngineFromRequirements(requirements: Iterable<string>): CompressionEngine {
  let engine: CompressionEngine = 'zlib';
  for (const r of requirements) {
    const m = /^(?:revlog|exp)-compression-(.*)$/.exec(r);
    if (m && (m[1] === 'zstd' || m[1] === 'zlib' || m[1] === 'none')) engine = m[1];
  }
  return engine;
}

/**
 * A chunk as hg stores it, in two parts to be written one after the other:
 * `header` is empty or `u`, `data` the (maybe compressed) bytes. Nothing is
 * copied when the data is stored raw.
 */
export interface ChunkParts {
  header: Uint8Array;
  data: Uint8Array;
}

function tryCompress(data: Uint8Array, engine: CompressionEngine, opts: CompressOptions): Uint8Array | undefined {
  const n = data.length;
  switch (engine) {
    case 'zlib': {
      if (n < 44) return undefined;
      if (opts.zlib) {
        const z = opts.zlib(data);
        return z.length < n ? z : undefined;
      }
      const b = opts.zlibLevel === undefined ? nodeZlib().deflateSync(data) : nodeZlib().deflateSync(data, { level: opts.zlibLevel });
      return b.length < n ? new Uint8Array(b.buffer, b.byteOffset, b.length) : undefined;
    }
    case 'zstd': {
      if (n < 50) return undefined;
      const c = zstdCompress(data, opts.zstdLevel ?? ZSTD_DEFAULT_LEVEL);
      return c.length < n ? c : undefined;
    }
    case 'none':
      return undefined;
  }
}

/**
 * hg's revlog.compress: the engine's output when it is strictly smaller
 * (zlib skips inputs under 44 bytes, zstd under 50), else the raw data,
 * behind a `u` marker unless it starts with NUL. Empty data stays empty.
 */
export function compressChunkParts(data: Uint8Array, engine: CompressionEngine, opts: CompressOptions = {}): ChunkParts {
  if (data.length === 0) return { header: EMPTY, data: EMPTY };
  const c = tryCompress(data, engine, opts);
  if (c !== undefined) return { header: EMPTY, data: c };
  if (data[0] === 0) return { header: EMPTY, data };
  return { header: U_HEADER, data };
}

/** The stored chunk for `data` (see compressChunkParts), as one array. */
export function compressChunk(data: Uint8Array, engine: CompressionEngine, opts: CompressOptions = {}): Uint8Array {
  const p = compressChunkParts(data, engine, opts);
  if (p.header.length === 0) return p.data;
  const out = new Uint8Array(1 + p.data.length);
  out[0] = p.header[0]!;
  out.set(p.data, 1);
  return out;
}

/** `sizeHint`: the decompressed size when the caller knows it (full texts). */
export function decompressChunk(chunk: Uint8Array, sizeHint?: number): Uint8Array {
  if (chunk.length === 0) return EMPTY;
  const t = chunk[0]!;
  switch (t) {
    case 0x00: // raw data whose first byte happens to be NUL
      return chunk;
    case 0x75: // 'u': raw data after the marker
      return chunk.subarray(1);
    case 0x78: // 'x': zlib
      try {
        const b = nodeZlib().inflateSync(chunk);
        return new Uint8Array(b.buffer, b.byteOffset, b.length);
      } catch (e) {
        throw new StorageError(`revlog decompress error: ${(e as Error).message}`);
      }
    case 0x28: // '(': zstd frame
      try {
        const size = sizeHint ?? chunk.length * 4;
        if (zstdWasmLoaded() || size >= WASM_ZSTD_FRAME || (chunk.length >= WASM_ZSTD_MIN && jsZstdBytes + size > JS_ZSTD_BUDGET)) {
          const out = zstdDecompressWasm(chunk, sizeHint);
          if (out !== undefined) return out;
        }
        const out = zstdDecompress(chunk);
        jsZstdBytes += out.length;
        return out;
      } catch (e) {
        throw new StorageError(`revlog decompress error: ${(e as Error).message}`);
      }
    default:
      throw new StorageError(`unknown compression type ${JSON.stringify(String.fromCharCode(t))}`);
  }
}
