// Python `re` syntax (bytes patterns, as hg compiles them) translated to a
// JavaScript RegExp source with the same meaning on latin1 strings of bytes.
//
// The output needs no RegExp flags: Python's inline flags (i, s, m, x; the
// global `(?i)` hg turns into a scoped group, and scoped `(?i:...)` groups)
// are applied during translation, so many patterns can share one RegExp:
//   - i: ASCII letters become [aA] (Python folds only ASCII for bytes);
//   - s: `.` matches newlines too; otherwise `.` is [^\n] (JS `.` would also
//     refuse \r);
//   - m: `^`/`$` at line boundaries (\n only);
//   - x: whitespace and #-comments outside classes are dropped.
// Character classes are rebuilt as explicit byte sets, so `\s`, `\w`, `\S`,
// ranges and case folding mean exactly what they mean to Python's bytes
// patterns. `$` means "end, or before a final newline", `\Z` "end".
//
// Anything Python rejects (unknown escapes of ASCII letters, global flags
// not at the start, bad groups) or that JavaScript cannot express
// (conditionals, possessive quantifiers, atomic groups) throws PyReError.

export class PyReError extends Error {}

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
  x: boolean;
}

const WORD = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const DIGIT = (c: number): boolean => c >= 0x30 && c <= 0x39;
const SPACE = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

function hex2(c: number): string {
  return '\\x' + (c < 16 ? '0' : '') + c.toString(16);
}

/** A single byte as a JS regex atom. */
function literal(c: number, i: boolean): string {
  if (i) {
    if (c >= 0x41 && c <= 0x5a) return `[${String.fromCharCode(c)}${String.fromCharCode(c + 32)}]`;
    if (c >= 0x61 && c <= 0x7a) return `[${String.fromCharCode(c - 32)}${String.fromCharCode(c)}]`;
  }
  const ch = String.fromCharCode(c);
  if (WORD(c)) return ch;
  return hex2(c);
}

/** A set of bytes (0..255) as a JS class. */
function classOf(set: Uint8Array, negate: boolean): string {
  let out = '';
  let count = 0;
  for (let c = 0; c < 256; c++) if (set[c]) count++;
  if (count === 256) return negate ? '[^\\s\\S]' : '[\\s\\S]';
  if (count === 0) return negate ? '[\\s\\S]' : '[^\\s\\S]';
  for (let c = 0; c < 256; ) {
    if (!set[c]) {
      c++;
      continue;
    }
    let e = c;
    while (e + 1 < 256 && set[e + 1]) e++;
    out += hex2(c);
    if (e > c) out += (e > c + 1 ? '-' : '') + hex2(e);
    c = e + 1;
  }
  // chars above 0xff never occur in latin1 path strings
  return (negate ? '[^' : '[') + out + ']';
}

function addClassEscape(set: Uint8Array, e: number): boolean {
  switch (e) {
    case 0x64: // \d
      for (let c = 0; c < 256; c++) if (DIGIT(c)) set[c] = 1;
      return true;
    case 0x44: // \D
      for (let c = 0; c < 256; c++) if (!DIGIT(c)) set[c] = 1;
      return true;
    case 0x77: // \w
      for (let c = 0; c < 256; c++) if (WORD(c)) set[c] = 1;
      return true;
    case 0x57: // \W
      for (let c = 0; c < 256; c++) if (!WORD(c)) set[c] = 1;
      return true;
    case 0x73: // \s
      for (let c = 0; c < 256; c++) if (SPACE(c)) set[c] = 1;
      return true;
    case 0x53: // \S
      for (let c = 0; c < 256; c++) if (!SPACE(c)) set[c] = 1;
      return true;
  }
  return false;
}

/** Python's simple escapes: the byte value for `\<c>`, or -1. */
function simpleEscape(c: number): number {
  switch (c) {
    case 0x61:
      return 7; // \a
    case 0x62:
      return 8; // \b (inside classes only)
    case 0x66:
      return 12; // \f
    case 0x6e:
      return 10; // \n
    case 0x72:
      return 13; // \r
    case 0x74:
      return 9; // \t
    case 0x76:
      return 11; // \v
  }
  return -1;
}

const IS_ASCII_LETTER = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

class Translator {
  private i = 0;
  private groups = 0;
  constructor(private readonly p: string) {}

  private peek(k = 0): number {
    return this.i + k < this.p.length ? this.p.charCodeAt(this.i + k) : -1;
  }

  fail(msg: string): never {
    throw new PyReError(`${msg} at position ${this.i}`);
  }

  /** Translates a sequence up to `)` (when nested) or the end. */
  seq(flags: Flags, nested: boolean): string {
    let out = '';
    const p = this.p;
    while (this.i < p.length) {
      const c = p.charCodeAt(this.i);
      if (c === 0x29 /* ) */) {
        if (!nested) this.fail('unbalanced parenthesis');
        return out;
      }
      if (flags.x && (SPACE(c) || c === 0x23)) {
        if (c === 0x23) {
          while (this.i < p.length && p.charCodeAt(this.i) !== 10) this.i++;
        } else this.i++;
        continue;
      }
      this.i++;
      switch (c) {
        case 0x7c: // |
          out += '|';
          break;
        case 0x2e: // .
          out += flags.s ? '[\\s\\S]' : '[^\\n]';
          break;
        case 0x5e: // ^
          out += flags.m ? '(?<![^\\n])' : '^';
          break;
        case 0x24: // $
          out += flags.m ? '(?![^\\n])' : '(?=\\n?(?![\\s\\S]))';
          break;
        case 0x2a: // *
        case 0x2b: // +
        case 0x3f: // ?
          out += String.fromCharCode(c);
          out += this.quantSuffix();
          break;
        case 0x7b: // {
          out += this.brace();
          break;
        case 0x5b: // [
          out += this.charClass(flags);
          break;
        case 0x28: // (
          out += this.group(flags);
          break;
        case 0x5c: // backslash
          out += this.escape(flags);
          break;
        default:
          out += literal(c, flags.i);
      }
    }
    if (nested) this.fail('missing ), unterminated subpattern');
    return out;
  }

  /** After a quantifier: lazy `?` is kept; possessive `+` is refused. */
  private quantSuffix(): string {
    const n = this.peek();
    if (n === 0x3f) {
      this.i++;
      return '?';
    }
    if (n === 0x2b) this.fail('possessive quantifiers are not supported');
    return '';
  }

  /** `{m}`, `{m,}`, `{,n}`, `{,}`, `{m,n}` are quantifiers (sre_parse); anything else is a literal `{`. */
  private brace(): string {
    const rest = this.p.slice(this.i);
    const m = /^(\d*)(?:(,)(\d*))?\}/.exec(rest);
    if (rest.charCodeAt(0) === 0x7d || !m) return '\\{';
    this.i += m[0].length;
    const lo = m[1] === '' ? '0' : m[1]!;
    const q = m[2] === undefined ? `{${lo}}` : `{${lo},${m[3]}}`;
    return q + this.quantSuffix();
  }

  private escape(flags: Flags): string {
    const c = this.peek();
    if (c < 0) this.fail('bad escape (end of pattern)');
    this.i++;
    switch (c) {
      case 0x41: // \A
        return '(?<![\\s\\S])';
      case 0x5a: // \Z
        return '(?![\\s\\S])';
      case 0x62: // \b
        return '\\b';
      case 0x42: // \B
        return '\\B';
      case 0x64:
      case 0x44:
      case 0x77:
      case 0x57:
      case 0x73:
      case 0x53: {
        const set = new Uint8Array(256);
        addClassEscape(set, c);
        return classOf(set, false);
      }
      case 0x78: {
        // \xhh
        const h = /^[0-9a-fA-F]{2}/.exec(this.p.slice(this.i));
        if (!h) this.fail('incomplete escape \\x');
        this.i += 2;
        return literal(parseInt(h[0], 16), flags.i);
      }
      case 0x30: {
        // \0, \0o, \0oo: octal
        let v = 0;
        let k = 0;
        while (k < 2 && this.peek() >= 0x30 && this.peek() <= 0x37) {
          v = v * 8 + (this.peek() - 0x30);
          this.i++;
          k++;
        }
        return literal(v, flags.i);
      }
    }
    if (c >= 0x31 && c <= 0x39) {
      // three octal digits are an octal escape; otherwise a group reference
      const a = this.peek();
      const b = this.peek(1);
      if (c <= 0x37 && a >= 0x30 && a <= 0x37 && b >= 0x30 && b <= 0x37) {
        this.i += 2;
        const v = (c - 0x30) * 64 + (a - 0x30) * 8 + (b - 0x30);
        if (v > 0xff) this.fail('octal escape value outside of range 0-0o377');
        return literal(v, flags.i);
      }
      let num = String.fromCharCode(c);
      if (DIGIT(a)) {
        num += String.fromCharCode(a);
        this.i++;
      }
      if (Number(num) > this.groups) this.fail('invalid group reference');
      return `(?:\\${num})`;
    }
    const simple = simpleEscape(c);
    if (simple >= 0 && c !== 0x62) return literal(simple, flags.i);
    if (IS_ASCII_LETTER(c) || DIGIT(c)) this.fail(`bad escape \\${String.fromCharCode(c)}`);
    return literal(c, flags.i);
  }

  private charClass(flags: Flags): string {
    const p = this.p;
    const set = new Uint8Array(256);
    let negate = false;
    if (this.peek() === 0x5e) {
      negate = true;
      this.i++;
    }
    let first = true;
    for (;;) {
      if (this.i >= p.length) this.fail('unterminated character set');
      let c = p.charCodeAt(this.i);
      if (c === 0x5d && !first) {
        this.i++;
        break;
      }
      first = false;
      this.i++;
      let lo: number;
      if (c === 0x5c) {
        const e = this.peek();
        if (e < 0) this.fail('unterminated character set');
        this.i++;
        if (addClassEscape(set, e)) continue;
        lo = this.classEscapeValue(e);
      } else lo = c;
      // a range?
      if (this.peek() === 0x2d && this.peek(1) !== 0x5d && this.peek(1) >= 0) {
        this.i++;
        c = p.charCodeAt(this.i++);
        let hi: number;
        if (c === 0x5c) {
          const e = this.peek();
          if (e < 0) this.fail('unterminated character set');
          this.i++;
          const probe = new Uint8Array(256);
          if (addClassEscape(probe, e)) this.fail('bad character range');
          hi = this.classEscapeValue(e);
        } else hi = c;
        if (hi < lo) this.fail('bad character range');
        for (let k = lo; k <= hi && k < 256; k++) set[k] = 1;
      } else if (lo < 256) set[lo] = 1;
    }
    if (flags.i) {
      for (let c = 0x41; c <= 0x5a; c++) {
        if (set[c] || set[c + 32]) {
          set[c] = 1;
          set[c + 32] = 1;
        }
      }
    }
    return classOf(set, negate);
  }

  /** The byte value of `\<e>` inside a class (e already consumed). */
  private classEscapeValue(e: number): number {
    const simple = simpleEscape(e);
    if (simple >= 0) return simple;
    if (e === 0x78) {
      const h = /^[0-9a-fA-F]{2}/.exec(this.p.slice(this.i));
      if (!h) this.fail('incomplete escape \\x');
      this.i += 2;
      return parseInt(h[0], 16);
    }
    if (e >= 0x30 && e <= 0x37) {
      let v = e - 0x30;
      let k = 0;
      while (k < 2 && this.peek() >= 0x30 && this.peek() <= 0x37) {
        v = v * 8 + (this.peek() - 0x30);
        this.i++;
        k++;
      }
      if (v > 0xff) this.fail('octal escape value outside of range 0-0o377');
      return v;
    }
    if (IS_ASCII_LETTER(e) || DIGIT(e)) this.fail(`bad escape \\${String.fromCharCode(e)}`);
    return e;
  }

  private group(flags: Flags): string {
    const p = this.p;
    if (this.peek() !== 0x3f /* ? */) {
      this.groups++;
      const inner = this.seq(flags, true);
      this.i++; // )
      return '(' + inner + ')';
    }
    this.i++;
    const k = this.peek();
    if (k === 0x3a /* : */ || k === 0x3d /* = */ || k === 0x21 /* ! */) {
      this.i++;
      const inner = this.seq(flags, true);
      this.i++;
      return '(?' + String.fromCharCode(k) + inner + ')';
    }
    if (k === 0x3c /* < */ && (this.peek(1) === 0x3d || this.peek(1) === 0x21)) {
      const kind = String.fromCharCode(this.peek(1));
      this.i += 2;
      const inner = this.seq(flags, true);
      this.i++;
      return '(?<' + kind + inner + ')';
    }
    if (k === 0x50 /* P */) {
      this.i++;
      if (this.peek() === 0x3c) {
        const m = /^<([A-Za-z_][A-Za-z0-9_]*)>/.exec(p.slice(this.i));
        if (!m) this.fail('bad character in group name');
        this.i += m[0].length;
        this.groups++;
        const inner = this.seq(flags, true);
        this.i++;
        return `(?<${m[1]}>` + inner + ')';
      }
      if (this.peek() === 0x3d) {
        const m = /^=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(p.slice(this.i));
        if (!m) this.fail('bad character in group name');
        this.i += m[0].length;
        return `(?:\\k<${m[1]}>)`;
      }
      this.fail('unknown extension ?P');
    }
    if (k === 0x23 /* # */) {
      const end = p.indexOf(')', this.i);
      if (end < 0) this.fail('missing ), unterminated comment');
      this.i = end + 1;
      return '';
    }
    // flags: (?aiLmsux) global, (?aiLmsux-imsx:...) scoped
    const m = /^([aiLmsux]*)(?:-([imsx]*))?([:)])/.exec(p.slice(this.i));
    if (!m || (m[1] === '' && m[2] === undefined)) this.fail('unknown extension ?' + String.fromCharCode(k));
    this.i += m[0].length;
    if (m[3] === ')') this.fail('global flags not at the start of the expression');
    const next: Flags = { ...flags };
    for (const f of m[1]!) if (f === 'i' || f === 's' || f === 'm' || f === 'x') next[f] = true;
    for (const f of m[2] ?? '') if (f === 'i' || f === 's' || f === 'm' || f === 'x') next[f] = false;
    const inner = this.seq(next, true);
    this.i++;
    return '(?:' + inner + ')';
  }
}

/**
 * Translates a Python regular expression (given as a latin1 string of its
 * bytes) to JavaScript source. `flags` are Python flag letters in force for
 * the whole pattern (from a leading `(?i)` that hg moved out).
 */
export function translatePyRegex(pattern: string, flags = ''): string {
  let f: Flags = { i: flags.includes('i'), s: flags.includes('s'), m: flags.includes('m'), x: flags.includes('x') };
  // a global flags group at the very start of the expression
  const g = /^\(\?([aiLmsux]+)\)/.exec(pattern);
  let body = pattern;
  if (g) {
    f = { i: f.i || g[1]!.includes('i'), s: f.s || g[1]!.includes('s'), m: f.m || g[1]!.includes('m'), x: f.x || g[1]!.includes('x') };
    body = pattern.slice(g[0].length);
  }
  const t = new Translator(body);
  const out = t.seq(f, false);
  // JavaScript must accept it too
  try {
    new RegExp(out);
  } catch (e) {
    throw new PyReError((e as Error).message);
  }
  return out;
}
