// A growable byte buffer for building diff output without per-line strings.

export class ByteSink {
  buf: Uint8Array;
  len = 0;

  constructor(size = 4096) {
    this.buf = new Uint8Array(size);
  }

  private grow(n: number): void {
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(c: number): void {
    if (this.len === this.buf.length) this.grow(1);
    this.buf[this.len++] = c;
  }

  bytes(b: Uint8Array, start = 0, end = b.length): void {
    const n = end - start;
    if (this.len + n > this.buf.length) this.grow(n);
    this.buf.set(start === 0 && end === b.length ? b : b.subarray(start, end), this.len);
    this.len += n;
  }

  /** A string of latin1 characters (each one byte). */
  latin1(s: string): void {
    const n = s.length;
    if (this.len + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let o = this.len;
    for (let i = 0; i < n; i++) buf[o++] = s.charCodeAt(i);
    this.len = o;
  }

  /** A decimal number. */
  num(n: number): void {
    this.latin1(String(n));
  }

  /** The bytes written so far (a view; valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** A copy of the bytes written so far. */
  take(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  clear(): void {
    this.len = 0;
  }
}
