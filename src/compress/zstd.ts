// zstd compression for revlog chunks, through the zstd library compiled to
// WebAssembly by `@bokuweb/zstd-wasm` (no native build, no install script).
//
// The package's own `init()` is asynchronous; hgkit's write path is
// synchronous, so the module is instantiated here synchronously (Node allows
// `new WebAssembly.Module` of any size) through Emscripten's
// `instantiateWasm` hook, on first use only: commands that never compress
// with zstd never load it.
//
// `ZSTD_compress` writes exactly one frame with the content size in its
// header, which is what hg's reader (python-zstandard, one frame) expects.
// The same module decodes large frames (engine.ts keeps `fzstd` for small
// ones, which do not pay the instantiation).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** hg's default zstd level for revlogs (`storage.revlog.zstd.level`). */
export const ZSTD_DEFAULT_LEVEL = 3;

// The project's `lib` has no WebAssembly typings: the little used here.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface ZstdWasm {
  compress(data: Uint8Array, level: number): Uint8Array;
  decompress(data: Uint8Array, opts: { defaultHeapSize: number }): Uint8Array;
}

let loaded: ZstdWasm | undefined;

function load(): ZstdWasm {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  // The package exports only its root; its files sit next to the resolved entry.
  const dir = dirname(require.resolve('@bokuweb/zstd-wasm'));
  const glue = require(join(dir, 'module.js')) as {
    Module: {
      instantiateWasm?: (imports: object, receive: (instance: { exports: object }) => void) => unknown;
      onRuntimeInitialized?: () => void;
      init(arg: unknown): void;
    };
  };
  const mod = glue.Module;
  let ready = false;
  const wasm = readFileSync(join(dir, 'zstd.wasm'));
  mod.instantiateWasm = (imports, receive) => {
    const instance = new WA.Instance(new WA.Module(wasm), imports);
    receive(instance);
    return instance.exports;
  };
  mod.onRuntimeInitialized = () => {
    ready = true;
  };
  mod.init(undefined);
  if (!ready) throw new Error('zstd-wasm did not initialise synchronously');
  const simple = require(join(dir, 'simple', 'compress.js')) as ZstdWasm;
  const simpleDecompress = require(join(dir, 'simple', 'decompress.js')) as Pick<ZstdWasm, 'decompress'>;
  loaded = {
    compress: (data, level) => simple.compress(data, level),
    decompress: (data, opts) => simpleDecompress.decompress(data, opts),
  };
  return loaded;
}

/** True once the WebAssembly module is instantiated (later frames of any size may as well use it). */
export function zstdWasmLoaded(): boolean {
  return loaded !== undefined;
}

/** One zstd frame holding `data` (content size recorded), at `level`. */
export function zstdCompress(data: Uint8Array, level = ZSTD_DEFAULT_LEVEL): Uint8Array {
  return load().compress(data, level);
}

/**
 * Decompresses one zstd frame through the WebAssembly build (several times
 * faster than the pure-JS decoder on large chunks). Undefined when the frame
 * does not record its content size, so the caller can fall back.
 */
export function zstdDecompressWasm(frame: Uint8Array, sizeHint?: number): Uint8Array | undefined {
  // Frame header: magic (4), descriptor (1); content size is recorded when
  // the descriptor's FCS flag or single-segment bit says so. hg streams
  // inputs over 1 MB, leaving it out: then the caller's size hint (the
  // index's raw size of a full text) bounds the output.
  const fhd = frame[4];
  if (fhd === undefined) return undefined;
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  if (fcsFlag === 0 && !singleSegment && !(sizeHint !== undefined && sizeHint > 0)) return undefined;
  return load().decompress(frame, { defaultHeapSize: sizeHint ?? 0 });
}
