// Revlog chunk decoding, dispatched on the chunk's first byte as hg's
// revlog.decompress does.
import { inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { StorageError } from '../core/errors.js';

const EMPTY = new Uint8Array(0);

export function decompressChunk(chunk: Uint8Array): Uint8Array {
  if (chunk.length === 0) return EMPTY;
  const t = chunk[0]!;
  switch (t) {
    case 0x00: // raw data whose first byte happens to be NUL
      return chunk;
    case 0x75: // 'u': raw data after the marker
      return chunk.subarray(1);
    case 0x78: // 'x': zlib
      try {
        const b = inflateSync(chunk);
        return new Uint8Array(b.buffer, b.byteOffset, b.length);
      } catch (e) {
        throw new StorageError(`revlog decompress error: ${(e as Error).message}`);
      }
    case 0x28: // '(': zstd frame
      try {
        return zstdDecompress(chunk);
      } catch (e) {
        throw new StorageError(`revlog decompress error: ${(e as Error).message}`);
      }
    default:
      throw new StorageError(`unknown compression type ${JSON.stringify(String.fromCharCode(t))}`);
  }
}
