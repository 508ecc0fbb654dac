// hg branch [-f] [-C] [NAME]: show or set the working copy's branch
// (`.hg/branch`, written atomically under the wlock as dirstate.setbranch
// does), with hg's checks (scmutil.checknewlabel, "a branch of the same name
// already exists") and messages.
import type { CommandContext } from '../context.js';
import { optBool, optList } from '../context.js';
import { CommandLineError } from '../options.js';
import { AbortError, InputError } from '../../core/errors.js';
import { bytesEqual, concatBytes, decodeUtf8, utf8 } from '../../core/bytes.js';
import { NULL_REV, isNullNode } from '../../core/node.js';
import type { Repository } from '../../store/repo.js';
import { lockWorkingCopy } from '../../store/transaction.js';
import { NodeWritableVfs } from '../../vfs/atomic-write.js';
import { revBranch, workingBranch } from './commit.js';

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Python's bytes.strip(). */
function strip(b: Uint8Array): Uint8Array {
  let s = 0;
  let e = b.length;
  while (s < e && isSpace(b[s]!)) s++;
  while (e > s && isSpace(b[e - 1]!)) e--;
  return b.subarray(s, e);
}

/** Python's repr() of a one-character bytestr. */
function charRepr(c: number): string {
  if (c === 0x0a) return "'\\n'";
  if (c === 0x0d) return "'\\r'";
  if (c === 0) return "'\\x00'";
  return `'${String.fromCharCode(c)}'`;
}

/** scmutil.checknewlabel: names hg refuses for a branch, bookmark or tag. */
export function checkNewLabel(label: Uint8Array): void {
  const s = decodeUtf8(label);
  if (s === 'tip' || s === '.' || s === 'null') throw new InputError(`the name '${s}' is reserved`);
  for (const c of [0x3a, 0, 0x0a, 0x0d]) {
    if (label.includes(c)) throw new InputError(`${charRepr(c)} cannot be used in a name`);
  }
  // int(lbl) succeeds (underscores excepted, as hg does)
  if (/^[ \t\n\r\x0b\x0c]*[+-]?[0-9]+[ \t\n\r\x0b\x0c]*$/.test(s)) throw new InputError('cannot use an integer as a name');
  if (!bytesEqual(strip(label), label)) throw new InputError(`leading or trailing whitespace in name '${s}'`);
}

/** dirstate.setbranch: `.hg/branch` replaced atomically. */
export function setBranch(repo: Repository, label: Uint8Array): void {
  new NodeWritableVfs().writeAtomic(repo.hgDir + '/branch', concatBytes([label, utf8('\n')]));
}

export async function run(ctx: CommandContext): Promise<number> {
  const { ui, opts, args } = ctx;
  if (args.length > 1) throw new CommandLineError('invalid arguments', 'branch');
  const revs = optList(opts, 'rev');
  const label = args[0] !== undefined ? strip(utf8(args[0])) : undefined;
  const repo = ctx.repo();
  const clean = optBool(opts, 'clean');
  if (!clean && (label === undefined || label.length === 0)) {
    if (revs.length > 0) throw new InputError('no branch name specified for the revisions');
    ui.write(concatBytes([ui.toLocal(workingBranch(repo)), utf8('\n')]));
    return 0;
  }
  const wlock = await lockWorkingCopy(repo, { onWarn: (m) => ui.warn(m) });
  try {
    if (clean) {
      const p1 = repo.workingParentRev();
      const b = revBranch(repo, p1);
      setBranch(repo, b);
      ui.status(concatBytes([utf8('reset working directory to branch '), ui.toLocal(b), utf8('\n')]));
      return 0;
    }
    checkNewLabel(label!);
    if (revs.length > 0) throw new AbortError('branch -r is not supported by hgkit yet');
    const name = decodeUtf8(label!);
    const branches = repo.names.branches();
    if (!optBool(opts, 'force') && branches.has(name)) {
      const parents = repo.dirstateParents().filter((p, i) => i === 0 || !isNullNode(p));
      const parentBranches = parents.map((p) => revBranch(repo, isNullNode(p) ? NULL_REV : repo.changelog.rev(p)));
      if (!parentBranches.some((b) => bytesEqual(b, label!))) {
        throw new InputError('a branch of the same name already exists', { hint: "use 'hg update' to switch to it" });
      }
    }
    setBranch(repo, label!);
    ui.status(concatBytes([utf8('marked working directory as branch '), ui.toLocal(label!), utf8('\n')]));
    // any open named branch aside from default: no advice
    for (const [n, bi] of branches) {
      if (n !== 'default' && bi.heads.some((h) => !bi.closed.has(h))) return 0;
    }
    ui.status('(branches are permanent and global, did you want a bookmark?)\n');
    return 0;
  } finally {
    wlock.release();
  }
}
