import { nodeCrypto } from './builtin.js';
import type { Node } from './node.js';
import { compareBytes } from './bytes.js';

export function sha1(...parts: Uint8Array[]): Uint8Array {
  const h = nodeCrypto().createHash('sha1');
  for (const p of parts) h.update(p);
  const d = h.digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.length);
}

/** hg's revision hash: sha1(min(p1,p2) + max(p1,p2) + text). */
export function hashRevision(text: Uint8Array, p1: Node, p2: Node): Node {
  const h = nodeCrypto().createHash('sha1');
  if (compareBytes(p1, p2) <= 0) h.update(p1).update(p2);
  else h.update(p2).update(p1);
  h.update(text);
  const d = h.digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.length);
}
