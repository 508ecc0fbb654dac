// A file's revlog. Raw texts may start with a `\1\n key: value \n ... \1\n`
// metadata header (copy source), which is stripped for the file content.
import { StorageError } from '../core/errors.js';
import { hexBytesToBin, indexOfByte, latin1 } from '../core/bytes.js';
import { NULL_REV, type Node, type Rev } from '../core/node.js';
import type { Revlog } from '../revlog/revlog.js';

export interface FileMeta {
  /** Keys are latin1 strings of the key bytes (`copy`, `copyrev`, `censored`). */
  fields: Map<string, Uint8Array>;
  /** Offset of the content in the raw text. */
  contentOffset: number;
}

/** Parses the metadata header; undefined when the raw text has none. */
export function parseFileMeta(raw: Uint8Array): FileMeta | undefined {
  if (raw.length < 2 || raw[0] !== 1 || raw[1] !== 10) return undefined;
  let end = -1;
  for (let i = 2; i + 1 < raw.length; i++) {
    if (raw[i] === 1 && raw[i + 1] === 10) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new StorageError('malformed file metadata header');
  const fields = new Map<string, Uint8Array>();
  let s = 2;
  while (s < end) {
    let e = indexOfByte(raw, 10, s, end);
    if (e < 0) e = end;
    const colon = indexOfByte(raw, 0x3a, s, e);
    if (colon >= 0 && raw[colon + 1] === 0x20) fields.set(latin1(raw, s, colon), raw.subarray(colon + 2, e));
    s = e + 1;
  }
  return { fields, contentOffset: end + 2 };
}

export interface CopySource {
  path: Uint8Array;
  node: Node;
}

export class Filelog {
  constructor(
    readonly path: Uint8Array,
    readonly revlog: Revlog,
  ) {}

  get length(): number {
    return this.revlog.length;
  }

  /** File content of a revision (metadata header stripped). */
  read(rev: Rev): Uint8Array {
    if (rev === NULL_REV) return new Uint8Array(0);
    const raw = this.revlog.revision(rev);
    const meta = parseFileMeta(raw);
    return meta ? raw.subarray(meta.contentOffset) : raw;
  }

  /** The copy source, when this revision records a copy (p1 null and both keys present). */
  renamed(rev: Rev): CopySource | undefined {
    const [p1] = this.revlog.parentRevs(rev);
    if (p1 !== NULL_REV) return undefined;
    const meta = parseFileMeta(this.revlog.revision(rev));
    if (!meta) return undefined;
    const copy = meta.fields.get('copy');
    const copyrev = meta.fields.get('copyrev');
    if (!copy || !copyrev || copyrev.length !== 40) return undefined;
    const node = hexBytesToBin(copyrev, 0, 20);
    if (!node) return undefined;
    return { path: copy, node };
  }

  /** hg's filelog.size(): the raw size, minus the header for renamed revisions only. */
  size(rev: Rev): number {
    const raw = this.revlog.rawSize(rev);
    if (this.renamed(rev)) return this.read(rev).length;
    return raw >= 0 ? raw : this.revlog.revision(rev).length;
  }

  /** Parent revisions in storage order (filelogs do not reorder parents). */
  parentRevs(rev: Rev): [Rev, Rev] {
    return this.revlog.parentRevs(rev);
  }

  linkRev(rev: Rev): Rev {
    return this.revlog.linkRev(rev);
  }
}
