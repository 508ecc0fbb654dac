// hg status: between two revisions (`--rev A --rev B`, one range, or
// `--change REV`) here; against the working directory in status-working.ts,
// loaded only then (the dirstate code is a large part of the bundle).
import type { CommandContext } from '../context.js';
import { optBool, optList, optString } from '../context.js';
import { AbortError, InputError } from '../../core/errors.js';
import { fromLatin1, latin1, utf8 } from '../../core/bytes.js';
import { NULL_REV, type Rev } from '../../core/node.js';
import { isPairSpec, revRange, revSingle } from '../../store/revset.js';
import { buildMatcher } from '../../dirstate/matcher.js';
import { pathTo, repoCwd, rootedPatterns } from '../pathutil.js';
import { statusBetweenRevs } from '../../store/status-revs.js';
import type { Repository } from '../../store/repo.js';

const STATES = ['modified', 'added', 'removed', 'deleted', 'unknown', 'ignored', 'clean'] as const;
type State = (typeof STATES)[number];
const CHARS: Record<State, number> = {
  modified: 0x4d, // M
  added: 0x41, // A
  removed: 0x52, // R
  deleted: 0x21, // !
  unknown: 0x3f, // ?
  ignored: 0x49, // I
  clean: 0x43, // C
};


/** hg's scmutil.revpair, for the two-revision forms only. */
function revPair(repo: Repository, revs: string[]): [Rev, Rev] {
  const l = revRange(repo, revs);
  if (l.length === 0) throw new InputError('empty revision range');
  const first = l[0]!;
  const second = l[l.length - 1]!;
  if (first === second && revs.length >= 2 && !revs.every((r) => revRange(repo, [r]).length > 0)) {
    throw new InputError('empty revision on one side of range');
  }
  return [first, second];
}

// --terse (hg's cmdutil.tersedir): a directory whose files (at any depth)
// all have one state, named in the argument, is listed as `dir/` instead.

interface DirNode {
  path: string;
  states: Set<string>;
  files: [name: string, state: string][];
  subdirs: Map<string, DirNode>;
}

function terseDirs(lists: Record<State, Uint8Array[]>, terse: string): Record<State, Uint8Array[]> {
  const letters = ['m', 'a', 'r', 'd', 'u', 'i', 'c'];
  for (const ch of terse) if (!letters.includes(ch)) throw new InputError(`'${ch}' not recognized`);
  const join = (dir: string, name: string): string => (dir === '' ? name : dir + '/' + name);
  const root: DirNode = { path: '', states: new Set(), files: [], subdirs: new Map() };
  const add = (node: DirNode, name: string, state: string): void => {
    const slash = name.indexOf('/');
    if (slash >= 0) {
      const sub = name.slice(0, slash);
      let child = node.subdirs.get(sub);
      if (!child) {
        child = { path: join(node.path, sub), states: new Set(), files: [], subdirs: new Map() };
        node.subdirs.set(sub, child);
      }
      add(child, name.slice(slash + 1), state);
    } else node.files.push([name, state]);
    node.states.add(state);
  };
  const order: State[] = ['modified', 'added', 'deleted', 'clean', 'unknown', 'ignored', 'removed'];
  for (const state of order) for (const f of lists[state]) add(root, latin1(f), state[0]!);
  const out = new Map<string, string[]>(letters.map((l) => [l, []]));
  for (const [name, state] of root.files) out.get(state)!.push(name);
  const walk = (node: DirNode): void => {
    if (node.states.size === 1) {
      const only = [...node.states][0]!;
      if (terse.includes(only)) {
        out.get(only)!.push(node.path + '/');
        return;
      }
    }
    for (const [name, state] of node.files) out.get(state)!.push(join(node.path, name));
    for (const sub of node.subdirs.values()) walk(sub);
  };
  for (const sub of root.subdirs.values()) walk(sub);
  const list = (l: string): Uint8Array[] => out.get(l)!.sort().map((p) => fromLatin1(p));
  return {
    modified: list('m'),
    added: list('a'),
    removed: list('r'),
    deleted: list('d'),
    unknown: list('u'),
    ignored: list('i'),
    clean: list('c'),
  };
}

/** Growable output buffer, written out in large chunks. */
class Out {
  private buf = new Uint8Array(1 << 16);
  private len = 0;
  constructor(private readonly sink: (b: Uint8Array) => void) {}
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    if (this.len > 0 && this.buf.length >= 1 << 20) this.flush();
    if (n > this.buf.length - this.len) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
  }
  byte(c: number): void {
    this.room(1);
    this.buf[this.len++] = c;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  flush(): void {
    if (this.len) this.sink(this.buf.slice(0, this.len));
    this.len = 0;
  }
}

export async function run(ctx: CommandContext): Promise<number> {
  const { ui, opts } = ctx;
  const repo = ctx.repo();
  const revs = optList(opts, 'rev');
  const change = optString(opts, 'change');
  if (revs.length > 0 && change) throw new InputError('cannot specify both --rev and --change');
  const terse = optString(opts, 'terse');
  if (revs.length > 0 && terse) throw new InputError('cannot use --terse with --rev');

  const template = optString(opts, 'template');
  if (template) throw new AbortError('status -T is not supported by hgkit yet');
  const pats = ctx.args;
  const root = latin1(utf8(repo.root));
  const cwd = repoCwd(root, latin1(utf8(ctx.cwd)));
  const matcher = buildMatcher({
    cwdRel: '',
    patterns: rootedPatterns(root, cwd, pats, 'relpath'),
    include: rootedPatterns(root, cwd, optList(opts, 'include'), 'glob'),
    exclude: rootedPatterns(root, cwd, optList(opts, 'exclude'), 'glob'),
  });
  // The working copy against its parent, or against one revision.
  // (hg's revpair: one revision that is not a range means "against the working copy")
  let single: Rev | undefined;
  if (revs.length === 1 && !isPairSpec(revs[0]!)) {
    const l = revRange(repo, revs);
    if (l.length === 0) throw new InputError('empty revision range');
    if (l[0] === l[l.length - 1]) single = l[0];
  }
  if (!change && (revs.length === 0 || single !== undefined)) {
    if (terse) throw new AbortError('status --terse is not supported by hgkit yet');
    const { runWorkingStatus } = await import('../status-working.js');
    return runWorkingStatus(ctx, matcher, { rev: single });
  }
  let rev1: Rev;
  let rev2: Rev;
  if (change) {
    rev2 = revSingle(repo, change);
    rev1 = rev2 === NULL_REV ? NULL_REV : repo.changelog.parentRevs(rev2)[0];
  } else {
    [rev1, rev2] = revPair(repo, revs);
  }
  const end = optBool(opts, 'print0') ? 0 : 10;
  let show: State[] = STATES.filter((s) => optBool(opts, s));
  if (optBool(opts, 'all')) show.push(...(ui.quiet ? [...STATES.slice(0, 4), 'clean' as const] : STATES));
  if (show.length === 0) show = ui.quiet ? STATES.slice(0, 4) : STATES.slice(0, 5);
  const showSet = new Set(show);

  const match = matcher.always ? undefined : (p: string) => matcher.matches(p);

  const copiesOpt = opts['copies'];
  const showCopies = (copiesOpt === true || optBool(opts, 'all')) && !optBool(opts, 'no-status');

  const st = statusBetweenRevs(repo, rev1, rev2, {
    match,
    roots: matcher.matchRoots,
    visit: matcher.visitChildrenSet,
    // --terse needs every file's state to see which directories are uniform
    clean: showSet.has('clean') || !!terse,
    copies: showCopies,
  });

  // Paths shown relative to the cwd when patterns were given (ui.relative-paths=legacy).
  let display: ((p: Uint8Array) => Uint8Array) | undefined;
  if (ctx.args.length > 0 && cwd !== '') display = (p) => fromLatin1(pathTo(root, cwd, latin1(p)));
  const showChar = !optBool(opts, 'no-status');
  const copies = st.copies;
  const out = new Out((b) => ui.write(b));
  let lists: Record<State, Uint8Array[]> = {
    modified: st.modified,
    added: st.added,
    removed: st.removed,
    deleted: [],
    unknown: [],
    ignored: [],
    clean: st.clean,
  };
  if (terse) lists = terseDirs(lists, terse);
  for (const state of STATES) {
    if (!showSet.has(state)) continue;
    const ch = CHARS[state];
    for (const f of lists[state]) {
      if (showChar) {
        out.byte(ch);
        out.byte(0x20);
      }
      out.bytes(display ? display(f) : f);
      out.byte(end);
      if (copies.size > 0) {
        const src = copies.get(latin1(f));
        if (src !== undefined) {
          out.byte(0x20);
          out.byte(0x20);
          const sb = fromLatin1(src);
          out.bytes(display ? display(sb) : sb);
          out.byte(end);
        }
      }
    }
  }
  out.flush();
  return 0;
}
