// Revision specifiers: the part of hg's revset language that names and ranges
// revisions (symbols, numbers, hex prefixes, names, `x:y`, `x::y`, `or`,
// `and`, `not`, `-`, `^`, `~`, and a few functions). Anything else aborts
// with "not supported" rather than guessing.
import { AbortError, AmbiguousPrefixError, InputError, LookupError } from '../core/errors.js';
import { fromHex } from '../core/bytes.js';
import { NULL_REV, type Rev, WDIR_REV } from '../core/node.js';
import type { RepoView } from './repo-view.js';

export class ParseError extends InputError {
  readonly position: number | undefined;
  readonly spec: string;
  constructor(message: string, spec: string, position?: number) {
    super(message);
    this.spec = spec;
    this.position = position;
  }
}

type Token = { kind: string; value?: string; pos: number };

const KEYWORDS = new Set(['and', 'or', 'not']);

function isSymStart(c: string): boolean {
  return /[A-Za-z0-9._@]/.test(c) || c.charCodeAt(0) > 127;
}
function isSymChar(c: string): boolean {
  return /[A-Za-z0-9\-._/@]/.test(c) || c.charCodeAt(0) > 127;
}

function tokenize(spec: string, isName: (s: string) => boolean): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < spec.length) {
    const c = spec[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = spec.slice(i, i + 2);
    if (two === '::' || two === '..' || two === '##') {
      out.push({ kind: two === '..' ? '::' : two, pos: i });
      i += 2;
      continue;
    }
    if ('():+-!~^&|,[]#%='.includes(c)) {
      out.push({ kind: c, pos: i });
      i++;
      continue;
    }
    if (c === "'" || c === '"' || ((c === 'r') && (spec[i + 1] === "'" || spec[i + 1] === '"'))) {
      const raw = c === 'r';
      const q = raw ? spec[i + 1]! : c;
      const start = i;
      let j = raw ? i + 2 : i + 1;
      let val = '';
      while (j < spec.length && spec[j] !== q) {
        if (spec[j] === '\\' && !raw && j + 1 < spec.length) {
          const n = spec[j + 1]!;
          val += n === 'n' ? '\n' : n === 't' ? '\t' : n === '\\' ? '\\' : n === q ? q : '\\' + n;
          j += 2;
        } else {
          val += spec[j];
          j++;
        }
      }
      if (j >= spec.length) throw new ParseError('unterminated string', spec, start);
      out.push({ kind: 'string', value: val, pos: start });
      i = j + 1;
      continue;
    }
    if (isSymStart(c)) {
      const start = i;
      let j = i + 1;
      while (j < spec.length && isSymChar(spec[j]!)) j++;
      const sym = spec.slice(start, j);
      if (KEYWORDS.has(sym)) out.push({ kind: sym, pos: start });
      else if (sym.includes('-') && !isName(sym)) {
        const parts = sym.split('-');
        let s = start;
        for (let k = 0; k < parts.length - 1; k++) {
          const p = parts[k]!;
          if (p) out.push({ kind: 'symbol', value: p, pos: s });
          s += p.length;
          out.push({ kind: '-', pos: s });
          s += 1;
        }
        const last = parts[parts.length - 1]!;
        if (last) out.push({ kind: 'symbol', value: last, pos: s });
      } else out.push({ kind: 'symbol', value: sym, pos: start });
      i = j;
      continue;
    }
    throw new ParseError('syntax error in revset', spec, i);
  }
  out.push({ kind: 'end', pos: spec.length });
  return out;
}

export type RevsetTree =
  | { op: 'symbol' | 'string'; value: string }
  | { op: 'range' | 'dagrange' | 'or' | 'and' | 'minus' | 'parentpost' | 'ancestor' | 'parent'; a: RevsetTree; b?: RevsetTree }
  | { op: 'rangepre' | 'rangepost' | 'dagrangepre' | 'dagrangepost' | 'not' | 'negate' | 'group'; a: RevsetTree }
  | { op: 'rangeall' }
  | { op: 'func'; name: string; args: RevsetTree[] };

// Binding powers from hg's revsetlang.elements.
const INFIX: Record<string, [number, string]> = {
  '::': [17, 'dagrange'],
  ':': [15, 'range'],
  and: [5, 'and'],
  '&': [5, 'and'],
  '-': [5, 'minus'],
  or: [4, 'or'],
  '|': [4, 'or'],
  '+': [4, 'or'],
  '~': [18, 'ancestor'],
  '^': [18, 'parent'],
};

export function parseRevset(spec: string, isName: (s: string) => boolean = () => false): RevsetTree {
  // hg's tokenize first tries old-style `a:b` ranges whose parts are names, so
  // names with revset metacharacters (`brä\nch`, `old-tag`) work unquoted.
  if (spec) {
    const i = spec.indexOf(':');
    const parts = i < 0 ? [spec] : [spec.slice(0, i), spec.slice(i + 1)];
    const plain = (p: string): boolean => /^(?:[A-Za-z0-9._@\x80-\uffff][A-Za-z0-9._@/\x80-\uffff-]*|-\d+)$/.test(p);
    // (names that tokenize as one symbol parse the same either way: only look up the others)
    if (parts.some((p) => p && !plain(p)) && parts.every((p) => !p || isName(p))) {
      const sym = (p: string): RevsetTree => ({ op: 'symbol', value: p });
      if (i < 0) return sym(spec);
      const [a, b] = parts as [string, string];
      if (a && b) return { op: 'range', a: sym(a), b: sym(b) };
      return a ? { op: 'rangepost', a: sym(a) } : { op: 'rangepre', a: sym(b) };
    }
  }
  const toks = tokenize(spec, isName);
  let p = 0;
  const peek = (): Token => toks[p]!;
  const fail = (t: Token): never => {
    if (t.kind === 'end') throw new ParseError('not a prefix: end', spec, t.pos);
    throw new ParseError(`not a prefix: ${t.value ?? t.kind}`, spec, t.pos);
  };
  const startsExpr = (t: Token): boolean =>
    ['symbol', 'string', '(', '-', 'not', '!', '::', ':'].includes(t.kind);

  const parse = (bind: number): RevsetTree => {
    const t = toks[p++]!;
    let left: RevsetTree;
    switch (t.kind) {
      case 'symbol':
        if (peek().kind === '(') {
          p++;
          const args: RevsetTree[] = [];
          if (peek().kind !== ')') {
            for (;;) {
              args.push(parse(3));
              if (peek().kind === ',') {
                p++;
                continue;
              }
              break;
            }
          }
          if (toks[p++]!.kind !== ')') fail(toks[p - 1]!);
          left = { op: 'func', name: t.value!, args };
        } else left = { op: 'symbol', value: t.value! };
        break;
      case 'string':
        left = { op: 'string', value: t.value! };
        break;
      case '(':
        left = { op: 'group', a: parse(1) };
        if (toks[p++]!.kind !== ')') fail(toks[p - 1]!);
        break;
      case '-':
        left = { op: 'negate', a: parse(19) };
        break;
      case 'not':
      case '!':
        left = { op: 'not', a: parse(10) };
        break;
      case '::':
        left = startsExpr(peek()) && peek().kind !== ':' && peek().kind !== '::' ? { op: 'dagrangepre', a: parse(17) } : fail(peek());
        break;
      case ':':
        left = startsExpr(peek()) && peek().kind !== ':' && peek().kind !== '::' ? { op: 'rangepre', a: parse(15) } : { op: 'rangeall' };
        break;
      default:
        return fail(t);
    }
    for (;;) {
      const t2 = peek();
      const inf = INFIX[t2.kind];
      if (!inf || inf[0] <= bind) {
        break;
      }
      p++;
      const [bp, op] = inf;
      if (op === 'range' || op === 'dagrange') {
        if (startsExpr(peek()) && peek().kind !== ':' && peek().kind !== '::') {
          left = { op, a: left, b: parse(bp) } as RevsetTree;
        } else left = { op: op === 'range' ? 'rangepost' : 'dagrangepost', a: left };
      } else if (op === 'parent' && !startsExpr(peek())) {
        left = { op: 'parentpost', a: left };
      } else {
        left = { op, a: left, b: parse(bp) } as RevsetTree;
      }
    }
    return left;
  };
  const tree = parse(0);
  if (peek().kind !== 'end') {
    const t = peek();
    throw new ParseError('invalid token', spec, t.pos);
  }
  return tree;
}

/** True when the top of the expression is a range (hg's _pairspec). */
export function isPairSpec(spec: string): boolean {
  try {
    const t = parseRevset(spec);
    return t.op === 'range' || t.op === 'rangepre' || t.op === 'rangepost' || t.op === 'rangeall';
  } catch {
    return false;
  }
}

/** Resolves one symbol as hg's scmutil.revsymbol does. */
export function revSymbol(repo: RepoView, symbol: string): Rev {
  const cl = repo.changelog;
  if (symbol === '.') return repo.workingParentRev();
  if (symbol === 'tip') return cl.length - 1;
  if (symbol === 'null') return NULL_REV;
  if (/^-?\d+$/.test(symbol)) {
    let r = Number(symbol);
    if (String(r) === symbol) {
      if (r < 0) r += cl.length;
      if (!(r < 0 || (r >= cl.length && r !== WDIR_REV))) {
        if (r === WDIR_REV) throw new AbortError('working directory revision cannot be specified');
        return r;
      }
    }
  }
  if (symbol.length === 40) {
    const node = fromHex(symbol);
    if (node) {
      const r = cl.findRev(node);
      if (r !== undefined) return r;
    }
  }
  const named = repo.lookupName(symbol);
  if (named !== undefined) return named;
  if (symbol.length <= 40 && /^[0-9a-fA-F]+$/.test(symbol)) {
    let r: Rev | undefined;
    try {
      r = cl.revlog.lookupPrefix(symbol.toLowerCase());
    } catch (e) {
      if (e instanceof AmbiguousPrefixError) throw new LookupError(`ambiguous revision identifier: ${symbol}`);
      throw e;
    }
    if (r !== undefined) return r;
  }
  throw new LookupError(`unknown revision '${symbol}'`);
}

function allRevs(repo: RepoView): Rev[] {
  const n = repo.changelog.length;
  const out = new Array<Rev>(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

function range(a: Rev, b: Rev): Rev[] {
  const out: Rev[] = [];
  if (a <= b) for (let r = a; r <= b; r++) out.push(r);
  else for (let r = a; r >= b; r--) out.push(r);
  return out;
}

function ancestorsOf(repo: RepoView, revs: Iterable<Rev>): Set<Rev> {
  const seen = new Set<Rev>();
  const stack = [...revs].filter((r) => r !== NULL_REV);
  while (stack.length) {
    const r = stack.pop()!;
    if (seen.has(r)) continue;
    seen.add(r);
    for (const p of repo.changelog.parentRevs(r)) if (p !== NULL_REV && !seen.has(p)) stack.push(p);
  }
  return seen;
}

function descendantsOf(repo: RepoView, roots: Set<Rev>): Set<Rev> {
  const out = new Set<Rev>();
  if (roots.size === 0) return out;
  const min = Math.min(...roots);
  for (let r = Math.max(min, 0); r < repo.changelog.length; r++) {
    if (roots.has(r)) {
      out.add(r);
      continue;
    }
    const [p1, p2] = repo.changelog.parentRevs(r);
    if (out.has(p1) || out.has(p2)) out.add(r);
  }
  return out;
}

const sortAsc = (s: Iterable<Rev>): Rev[] => [...s].sort((x, y) => x - y);

function evalTree(repo: RepoView, t: RevsetTree): Rev[] {
  switch (t.op) {
    case 'symbol':
    case 'string':
      return [revSymbol(repo, t.value)];
    case 'group':
      return evalTree(repo, t.a);
    case 'negate': {
      if (t.a.op !== 'symbol' && t.a.op !== 'string') throw new ParseError("can't use negate operator in this context", '');
      return [revSymbol(repo, '-' + t.a.value)];
    }
    case 'rangeall':
      return allRevs(repo);
    case 'range':
    case 'rangepre':
    case 'rangepost': {
      const a = t.op === 'rangepre' ? [0] : evalTree(repo, t.a);
      const b = 'b' in t && t.b ? evalTree(repo, t.b) : t.op === 'rangepre' ? evalTree(repo, t.a) : [repo.changelog.length - 1];
      if (a.length === 0 || b.length === 0) return [];
      return range(a[0]!, b[b.length - 1]!).filter((r) => r >= 0 || r === NULL_REV);
    }
    case 'dagrange':
    case 'dagrangepre':
    case 'dagrangepost': {
      if (t.op === 'dagrangepre') return sortAsc(ancestorsOf(repo, evalTree(repo, t.a)));
      const roots = new Set(evalTree(repo, t.a));
      const desc = descendantsOf(repo, roots);
      if (t.op === 'dagrangepost') return sortAsc(desc);
      const anc = ancestorsOf(repo, evalTree(repo, (t as { b: RevsetTree }).b));
      return sortAsc([...desc].filter((r) => anc.has(r)));
    }
    case 'or': {
      const a = evalTree(repo, t.a);
      const seen = new Set(a);
      const out = [...a];
      for (const r of evalTree(repo, t.b!)) if (!seen.has(r)) (seen.add(r), out.push(r));
      return out;
    }
    case 'and': {
      const b = new Set(evalTree(repo, t.b!));
      return evalTree(repo, t.a).filter((r) => b.has(r));
    }
    case 'minus': {
      const b = new Set(evalTree(repo, t.b!));
      return evalTree(repo, t.a).filter((r) => !b.has(r));
    }
    case 'not': {
      const a = new Set(evalTree(repo, t.a));
      return allRevs(repo).filter((r) => !a.has(r));
    }
    case 'parentpost':
    case 'parent': {
      const n = t.op === 'parent' ? Number(evalLiteral(t.b!)) : 1;
      const out = new Set<Rev>();
      for (const r of evalTree(repo, t.a)) {
        const [p1, p2] = repo.changelog.parentRevs(r);
        if (n === 0) out.add(r);
        else if (n === 1 && p1 !== NULL_REV) out.add(p1);
        else if (n === 2 && p2 !== NULL_REV) out.add(p2);
      }
      return sortAsc(out);
    }
    case 'ancestor': {
      const n = Number(evalLiteral(t.b!));
      const out = new Set<Rev>();
      for (let r of evalTree(repo, t.a)) {
        for (let i = 0; i < n && r !== NULL_REV; i++) r = repo.changelog.parentRevs(r)[0];
        if (r !== NULL_REV) out.add(r);
      }
      return sortAsc(out);
    }
    case 'func':
      return evalFunc(repo, t.name, t.args);
  }
}

function evalLiteral(t: RevsetTree): string {
  if (t.op === 'symbol' || t.op === 'string') return t.value;
  throw new ParseError('expected a number', '');
}

function evalFunc(repo: RepoView, name: string, args: RevsetTree[]): Rev[] {
  const one = (): Rev[] => {
    if (args.length !== 1) throw new ParseError(`${name} takes one argument`, '');
    return evalTree(repo, args[0]!);
  };
  switch (name) {
    case 'all':
      return allRevs(repo);
    case 'tip':
      return repo.changelog.length ? [repo.changelog.length - 1] : [];
    case 'null':
      return [NULL_REV];
    case 'reverse':
      return one().reverse();
    case 'sort':
      return sortAsc(one());
    case 'ancestors':
      return sortAsc(ancestorsOf(repo, one()));
    case 'descendants':
      return sortAsc(descendantsOf(repo, new Set(one())));
    case 'p1':
    case 'p2': {
      const set = args.length ? evalTree(repo, args[0]!) : [repo.workingParentRev()];
      const out = new Set<Rev>();
      for (const r of set) {
        const p = repo.changelog.parentRevs(r)[name === 'p1' ? 0 : 1];
        if (p !== NULL_REV) out.add(p);
      }
      return sortAsc(out);
    }
    case 'parents': {
      const set = args.length ? evalTree(repo, args[0]!) : [repo.workingParentRev()];
      const out = new Set<Rev>();
      for (const r of set) for (const p of repo.changelog.parentRevs(r)) if (p !== NULL_REV) out.add(p);
      return sortAsc(out);
    }
    case 'heads': {
      const set = one();
      const inSet = new Set(set);
      const notHead = new Set<Rev>();
      for (const r of set) for (const p of repo.changelog.parentRevs(r)) if (inSet.has(p)) notHead.add(p);
      return sortAsc(set.filter((r) => !notHead.has(r)));
    }
    case 'roots': {
      const set = one();
      const inSet = new Set(set);
      return sortAsc(set.filter((r) => !repo.changelog.parentRevs(r).some((p) => inSet.has(p))));
    }
    case 'head':
      return sortAsc(repo.branchHeadRevs({ closed: true }));
    case 'first':
    case 'limit': {
      const set = evalTree(repo, args[0]!);
      const n = args[1] ? Number(evalLiteral(args[1])) : 1;
      return set.slice(0, n);
    }
    case 'last': {
      const set = evalTree(repo, args[0]!);
      const n = args[1] ? Number(evalLiteral(args[1])) : 1;
      return set.slice(Math.max(0, set.length - n));
    }
    case 'min':
    case 'max': {
      const set = one();
      if (!set.length) return [];
      return [name === 'min' ? Math.min(...set) : Math.max(...set)];
    }
    case 'branch': {
      if (args.length !== 1) throw new ParseError('branch takes one argument', '');
      const a = args[0]!;
      let branches: Set<string>;
      if ((a.op === 'symbol' || a.op === 'string') && repo.branchNames().has(a.value)) branches = new Set([a.value]);
      else branches = new Set(evalTree(repo, a).map((r) => repo.branchOf(r)));
      return allRevs(repo).filter((r) => branches.has(repo.branchOf(r)));
    }
    default:
      throw new AbortError(`revset function '${name}' is not supported by hgkit`);
  }
}

/** Evaluates revision specifiers as hg's scmutil.revrange: the union of each, in order. */
export function revRange(repo: RepoView, specs: readonly string[]): Rev[] {
  const out: Rev[] = [];
  const seen = new Set<Rev>();
  for (const spec of specs) {
    const tree = parseRevset(spec, (s) => repo.isName(s));
    for (const r of evalTree(repo, tree)) {
      if (!seen.has(r)) {
        seen.add(r);
        out.push(r);
      }
    }
  }
  return out;
}

/** hg's scmutil.revsingle: the last revision of the set. */
export function revSingle(repo: RepoView, spec: string | undefined, defaultSpec = '.'): Rev {
  if (spec === undefined || spec === '') return revSymbol(repo, defaultSpec);
  const revs = revRange(repo, [spec]);
  if (revs.length === 0) throw new InputError('empty revision set');
  return revs[revs.length - 1]!;
}
