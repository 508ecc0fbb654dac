/**
 * Python's repr() of a bytes value without the leading `b` (hg's `%r` of a
 * bytestr in messages): single quotes unless the value has a single quote and
 * no double quote; `\t \n \r`, other control bytes and bytes >= 0x7f escaped.
 * Takes the bytes, or a latin1 string of them.
 */
export function pyBytesRepr(b: Uint8Array | string): string {
  const at = typeof b === 'string' ? (i: number) => b.charCodeAt(i) : (i: number) => b[i]!;
  let hasSingle = false;
  let hasDouble = false;
  for (let i = 0; i < b.length; i++) {
    const c = at(i);
    if (c === 0x27) hasSingle = true;
    if (c === 0x22) hasDouble = true;
  }
  const q = hasSingle && !hasDouble ? 0x22 : 0x27;
  let out = String.fromCharCode(q);
  for (let i = 0; i < b.length; i++) {
    const c = at(i);
    if (c === 0x5c) out += '\\\\';
    else if (c === q) out += '\\' + String.fromCharCode(q);
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += String.fromCharCode(c);
  }
  return out + String.fromCharCode(q);
}
