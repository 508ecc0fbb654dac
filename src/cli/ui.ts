// Output for the CLI: bytes go to a buffer flushed to fd 1/2 in large
// writes (no per-line syscalls, no string round-trips of file contents).
import { writeSync } from 'node:fs';

const ENC = new TextEncoder();

export interface UiOptions {
  quiet?: boolean;
  verbose?: boolean;
  debug?: boolean;
  traceback?: boolean;
  encoding?: string;
}

class FdWriter {
  private buf = Buffer.allocUnsafe(1 << 16);
  private len = 0;
  broken = false;
  constructor(private readonly fd: number) {}

  write(data: Uint8Array): void {
    if (this.broken) return;
    if (data.length > this.buf.length - this.len) {
      this.flush();
      if (data.length > this.buf.length) {
        this.writeAll(data);
        return;
      }
    }
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  flush(): void {
    if (this.len === 0 || this.broken) return;
    this.writeAll(this.buf.subarray(0, this.len));
    this.len = 0;
  }

  private writeAll(data: Uint8Array): void {
    let off = 0;
    while (off < data.length) {
      try {
        off += writeSync(this.fd, data, off, data.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue;
        if (code === 'EPIPE') {
          this.broken = true;
          return;
        }
        throw e;
      }
    }
  }
}

export class Ui {
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly debugFlag: boolean;
  readonly traceback: boolean;
  /** hg's local encoding ('utf-8', 'ascii', 'latin1'...). */
  readonly encoding: string;
  private readonly out = new FdWriter(1);
  private readonly err = new FdWriter(2);

  constructor(opts: UiOptions = {}) {
    this.debugFlag = !!opts.debug;
    // hg's ui.fixconfig: --debug implies verbose; -q with -v cancels both.
    this.verbose = this.debugFlag || (!!opts.verbose && !opts.quiet);
    this.quiet = !this.debugFlag && !!opts.quiet && !opts.verbose;
    this.traceback = !!opts.traceback;
    this.encoding = (opts.encoding ?? 'utf-8').toLowerCase().replace(/_/g, '-');
  }

  write(data: Uint8Array | string): void {
    this.out.write(typeof data === 'string' ? ENC.encode(data) : data);
  }

  /** Output shown unless --quiet. */
  status(data: Uint8Array | string): void {
    if (!this.quiet) this.write(data);
  }

  note(data: Uint8Array | string): void {
    if (this.verbose) this.write(data);
  }

  debug(data: Uint8Array | string): void {
    if (this.debugFlag) this.write(data);
  }

  /** stderr; stdout is flushed first so interleaving matches hg's. */
  warn(data: Uint8Array | string): void {
    this.out.flush();
    this.err.write(typeof data === 'string' ? ENC.encode(data) : data);
    this.err.flush();
  }

  error(data: Uint8Array | string): void {
    this.warn(data);
  }

  flush(): void {
    this.out.flush();
    this.err.flush();
  }

  get outputBroken(): boolean {
    return this.out.broken;
  }

  /**
   * hg's encoding.tolocal for metadata (user, description, branch): UTF-8
   * bytes converted to the local encoding; undecodable bytes are taken as
   * latin1, as hg's fallback does.
   */
  toLocal(bytes: Uint8Array): Uint8Array {
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return bytes;
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = new TextDecoder('latin1').decode(bytes);
    }
    return this.encodeLocal(text);
  }

  /** Encodes a JS string in the local encoding, `?` for what it cannot represent. */
  encodeLocal(text: string): Uint8Array {
    const e = this.encoding;
    if (e === 'utf-8' || e === 'utf8') return ENC.encode(text);
    const limit = e === 'ascii' || e === 'us-ascii' ? 0x80 : e === 'latin1' || e === 'latin-1' || e === 'iso-8859-1' ? 0x100 : -1;
    if (limit < 0) return ENC.encode(text);
    const out: number[] = [];
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      out.push(cp < limit ? cp : 0x3f);
    }
    return Uint8Array.from(out);
  }
}

/** hg's choice of local encoding: HGENCODING, else the locale (Python coerces C to UTF-8). */
export function detectEncoding(env: NodeJS.ProcessEnv): string {
  if (env.HGENCODING) return env.HGENCODING;
  const loc = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  const m = /\.([A-Za-z0-9_-]+)/.exec(loc);
  if (!m) return 'utf-8';
  const cs = m[1]!.toLowerCase();
  if (cs === 'utf8' || cs === 'utf-8') return 'utf-8';
  if (cs.startsWith('iso8859') || cs.startsWith('iso-8859')) return 'latin1';
  return cs;
}
