// Scanning helpers over a flat manifest text (`path\0<40 hex><flag>\n` lines),
// for callers that stream every entry without building anything per line.

/**
 * Calls `cb(lineStart, nulPos, lineEnd)` for each line; the path is
 * text[lineStart, nulPos), the hex node text[nulPos+1, nulPos+41), the flag
 * (if any) text[nulPos+41], and text[lineEnd] is the newline.
 */
export function forEachManifestLine(
  text: Uint8Array,
  cb: (lineStart: number, nul: number, lineEnd: number) => void,
): void {
  let s = 0;
  const n = text.length;
  while (s < n) {
    const z = text.indexOf(0, s);
    if (z < 0) return;
    let e = text.indexOf(10, z + 41);
    if (e < 0) e = n;
    cb(s, z, e);
    s = e + 1;
  }
}

/** The flag character code of a line (0 when none). */
export function lineFlag(text: Uint8Array, nul: number, lineEnd: number): number {
  return lineEnd > nul + 41 ? text[nul + 41]! : 0;
}
