// Binary files in git diffs: hg's base85 encoding (the git alphabet) and the
// `GIT binary patch` literal hg writes (mdiff.b85diff: always a full
// zlib-compressed literal of the new content, never a delta), plus the git
// blob hash of `index` lines.

import { sha1 } from '../core/sha1.js';
import { bytesEqual, toHex } from '../core/bytes.js';
import { zlibCompress } from './deflate.js';
import { ByteSink } from './sink.js';

const B85CHARS = new TextEncoder().encode('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~');

/** hg's base85.b85encode(text, pad=true): 5 characters per 4 bytes, the input padded with NULs. */
export function b85encode(data: Uint8Array, out: ByteSink): void {
  const n = data.length;
  for (let i = 0; i < n; i += 4) {
    let word = 0;
    for (let k = 0; k < 4; k++) word = word * 256 + (i + k < n ? data[i + k]! : 0);
    const chars = [0, 0, 0, 0, 0];
    for (let k = 4; k >= 0; k--) {
      chars[k] = word % 85;
      word = Math.floor(word / 85);
    }
    for (let k = 0; k < 5; k++) out.byte(B85CHARS[chars[k]!]!);
  }
}

const A = 0x41;
const a = 0x61;

/**
 * hg's mdiff.b85diff(to, tn): empty when the contents are equal, else
 * `GIT binary patch`, `literal <size>`, the zlib-compressed new content as
 * base85 lines of up to 52 bytes (each prefixed with its length letter) and
 * an empty line.
 */
export function b85diff(to: Uint8Array | null, tn: Uint8Array | null): Uint8Array {
  const from = to ?? new Uint8Array(0);
  const text = tn ?? new Uint8Array(0);
  if (bytesEqual(from, text)) return new Uint8Array(0);
  const z = zlibCompress(text);
  const out = new ByteSink(Math.ceil(z.length * 1.3) + 64);
  out.latin1(`GIT binary patch\nliteral ${text.length}\n`);
  for (let i = 0; i < z.length; i += 52) {
    const line = z.subarray(i, Math.min(i + 52, z.length));
    const l = line.length;
    out.byte(l <= 26 ? A + l - 1 : a + l - 27);
    b85encode(line, out);
    out.byte(0x0a);
  }
  out.byte(0x0a);
  return out.take();
}

/** hg's _gitindex: the git blob id of a content (hex). */
export function gitBlobId(text: Uint8Array | null): string {
  const data = text ?? new Uint8Array(0);
  return toHex(sha1(new TextEncoder().encode(`blob ${data.length}\0`), data));
}
