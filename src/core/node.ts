import { fromHex, toHex } from './bytes.js';

/** A revision number. -1 is the null revision. */
export type Rev = number;
/** 20 binary bytes. */
export type Node = Uint8Array;

export const NULL_REV: Rev = -1;
/** hg's wdirrev: the working directory's pseudo revision. */
export const WDIR_REV: Rev = 0x7fffffff;
export const NULL_NODE: Node = new Uint8Array(20);
export const WDIR_NODE: Node = new Uint8Array(20).fill(0xff);
export const NULL_HEX = '0000000000000000000000000000000000000000';

export function nodeHex(node: Node): string {
  return toHex(node);
}

/** hg's `short()`: the first 12 hex digits. */
export function shortHex(node: Node): string {
  return toHex(node, 0, 6);
}

export function nodeFromHex(hex: string): Node | undefined {
  if (hex.length !== 40) return undefined;
  return fromHex(hex);
}

export function isNullNode(node: Node): boolean {
  for (let i = 0; i < 20; i++) if (node[i] !== 0) return false;
  return true;
}

/** A string key for maps: the 20 raw bytes as latin1 (never hex). */
export function nodeKey(node: Uint8Array, off = 0): string {
  let s = '';
  for (let i = 0; i < 20; i++) s += String.fromCharCode(node[off + i]!);
  return s;
}
