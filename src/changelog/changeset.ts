// Changelog entry text <-> Changeset. Metadata stays as bytes (hg stores
// UTF-8); the CLI converts for display.
import { StorageError } from '../core/errors.js';
import { hexBytesToBin, indexOfByte, latin1 } from '../core/bytes.js';
import { NULL_NODE, type Node } from '../core/node.js';

export interface Changeset {
  manifest: Node;
  user: Uint8Array;
  /** Seconds since the epoch (hg accepts a float in the text). */
  time: number;
  /** Seconds west of UTC. */
  tz: number;
  /** Decoded extras, in the order of the text (hg writes them sorted); keys are latin1 strings of the key bytes. */
  extra: Map<string, Uint8Array>;
  /** Raw text of the extra field (undefined when absent). */
  rawExtra: Uint8Array | undefined;
  files: Uint8Array[];
  description: Uint8Array;
}

const DEFAULT_BRANCH = new Uint8Array([0x64, 0x65, 0x66, 0x61, 0x75, 0x6c, 0x74]); // "default"

export function nullChangeset(): Changeset {
  return {
    manifest: NULL_NODE,
    user: new Uint8Array(0),
    time: 0,
    tz: 0,
    extra: new Map([['branch', DEFAULT_BRANCH]]),
    rawExtra: undefined,
    files: [],
    description: new Uint8Array(0),
  };
}

/** Python's codecs.escape_decode, which hg uses to unescape extras. */
export function unescapeBytes(src: Uint8Array): Uint8Array {
  if (indexOfByte(src, 0x5c) < 0) return src;
  const out: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c !== 0x5c || i + 1 >= src.length) {
      out.push(c);
      continue;
    }
    const n = src[++i]!;
    switch (n) {
      case 0x0a: break; // backslash-newline: line continuation
      case 0x5c: out.push(0x5c); break;
      case 0x27: out.push(0x27); break;
      case 0x22: out.push(0x22); break;
      case 0x61: out.push(7); break; // \a
      case 0x62: out.push(8); break; // \b
      case 0x66: out.push(12); break; // \f
      case 0x6e: out.push(10); break; // \n
      case 0x72: out.push(13); break; // \r
      case 0x74: out.push(9); break; // \t
      case 0x76: out.push(11); break; // \v
      case 0x78: {
        // \xNN: exactly two hex digits, else Python raises
        const h = (x: number | undefined): number =>
          x === undefined ? -1 : x >= 48 && x <= 57 ? x - 48 : x >= 97 && x <= 102 ? x - 87 : x >= 65 && x <= 70 ? x - 55 : -1;
        const a = h(src[i + 1]);
        const b = h(src[i + 2]);
        if (a < 0 || b < 0) throw new StorageError(`invalid \\x escape at position ${i - 1}`);
        out.push(a * 16 + b);
        i += 2;
        break;
      }
      default:
        if (n >= 0x30 && n <= 0x37) {
          let v = n - 0x30;
          for (let k = 0; k < 2 && i + 1 < src.length && src[i + 1]! >= 0x30 && src[i + 1]! <= 0x37; k++) {
            v = v * 8 + (src[++i]! - 0x30);
          }
          out.push(v & 0xff);
        } else {
          out.push(0x5c, n);
        }
    }
  }
  return Uint8Array.from(out);
}

/** hg's changelog._string_unescape: `\0` becomes NUL before escape_decode, so `\01` is NUL + "1", not octal 1. */
function stringUnescape(src: Uint8Array): Uint8Array {
  let hasNulEscape = false;
  for (let i = 0; i + 1 < src.length; i++) {
    if (src[i] === 0x5c && src[i + 1] === 0x30) hasNulEscape = true;
  }
  if (!hasNulEscape) return unescapeBytes(src);
  // replace(b'\\\\', b'\\\\\n'); replace(b'\\0', b'\0'); replace(b'\n', b'')
  const a: number[] = [];
  for (let i = 0; i < src.length; i++) {
    if (src[i] === 0x5c && src[i + 1] === 0x5c) {
      a.push(0x5c, 0x5c, 0x0a);
      i++;
    } else a.push(src[i]!);
  }
  const b: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 0x5c && a[i + 1] === 0x30) {
      b.push(0);
      i++;
    } else if (a[i] !== 0x0a) b.push(a[i]!);
  }
  return unescapeBytes(Uint8Array.from(b));
}

export function decodeExtra(raw: Uint8Array): Map<string, Uint8Array> {
  const extra = new Map<string, Uint8Array>([['branch', DEFAULT_BRANCH]]);
  let start = 0;
  while (start <= raw.length) {
    let end = indexOfByte(raw, 0, start);
    if (end < 0) end = raw.length;
    if (end > start) {
      const item = stringUnescape(raw.subarray(start, end));
      const colon = indexOfByte(item, 0x3a);
      if (colon < 0) throw new StorageError('malformed changelog extra');
      extra.set(latin1(item, 0, colon), item.subarray(colon + 1));
    }
    start = end + 1;
  }
  return extra;
}

function parseNumber(b: Uint8Array): number {
  return Number(latin1(b).trim());
}

export function parseChangeset(text: Uint8Array): Changeset {
  if (text.length === 0) return nullChangeset();
  const bad = (): never => {
    throw new StorageError('malformed changelog entry');
  };
  const nl1 = indexOfByte(text, 10);
  if (nl1 < 0) bad();
  const nl2 = indexOfByte(text, 10, nl1 + 1);
  if (nl2 < 0) bad();
  const nl3 = indexOfByte(text, 10, nl2 + 1);
  if (nl3 < 0) bad();
  let doubleNl: number;
  if (text[nl3 + 1] === 10) doubleNl = nl3;
  else {
    doubleNl = -1;
    // Jump from newline to newline (native indexOf) over a long file list.
    for (let i = text.indexOf(10, nl3 + 1); i >= 0 && i + 1 < text.length; i = text.indexOf(10, i + 1)) {
      if (text[i + 1] === 10) {
        doubleNl = i;
        break;
      }
    }
    if (doubleNl < 0) bad();
  }
  const manifest = nl1 === 40 ? hexBytesToBin(text, 0, 20) : undefined;
  if (!manifest) throw new StorageError('malformed changelog entry: bad manifest node');

  // "time tz extra": split on the first two spaces.
  const dateLine = text.subarray(nl2 + 1, nl3);
  const sp1 = indexOfByte(dateLine, 0x20);
  const sp2 = sp1 < 0 ? -1 : indexOfByte(dateLine, 0x20, sp1 + 1);
  const timeField = sp1 < 0 ? dateLine : dateLine.subarray(0, sp1);
  const tzField = sp1 < 0 ? undefined : dateLine.subarray(sp1 + 1, sp2 < 0 ? dateLine.length : sp2);
  const rawExtra = sp2 < 0 ? undefined : dateLine.subarray(sp2 + 1);
  const time = parseNumber(timeField);
  if (Number.isNaN(time)) throw new StorageError('malformed changelog entry: bad date');
  let tz = 0;
  if (tzField) {
    const s = latin1(tzField).trim();
    tz = /^[+-]?\d+$/.test(s) ? parseInt(s, 10) : 0;
  }

  // The file list is split only when asked for: `log` without -v never needs it.
  let files: Uint8Array[] | undefined;
  const splitFiles = (): Uint8Array[] => {
    const out: Uint8Array[] = [];
    if (doubleNl !== nl3) {
      let s = nl3 + 1;
      while (s <= doubleNl) {
        let e = indexOfByte(text, 10, s);
        if (e < 0 || e > doubleNl) e = doubleNl;
        out.push(text.subarray(s, e));
        s = e + 1;
      }
    }
    return out;
  };
  return {
    manifest,
    user: text.subarray(nl1 + 1, nl2),
    time,
    tz,
    extra: rawExtra === undefined ? new Map([['branch', DEFAULT_BRANCH]]) : decodeExtra(rawExtra),
    rawExtra,
    get files(): Uint8Array[] {
      return (files ??= splitFiles());
    },
    set files(v: Uint8Array[]) {
      files = v;
    },
    description: text.subarray(doubleNl + 2),
  };
}

export function branchOf(cs: Changeset): Uint8Array {
  return cs.extra.get('branch') ?? DEFAULT_BRANCH;
}

export function isClosed(cs: Changeset): boolean {
  return cs.extra.has('close');
}
