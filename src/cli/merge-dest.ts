// Default destinations of update and merge (hg's destutil: destupdate,
// destmerge, statusotherdests), without bookmarks or obsolescence.
import { decodeUtf8, latin1 } from '../core/bytes.js';
import { AbortError } from '../core/errors.js';
import { NULL_REV, type Rev, shortHex } from '../core/node.js';
import { isClosed } from '../changelog/changeset.js';
import type { Repository } from '../store/repo.js';
import type { MergeUi } from '../store/merge.js';

/** repo.branchheads(branch, closed): heads of a named branch, newest first. */
export function branchHeads(repo: Repository, branch: string, closed = false): Rev[] {
  const bi = repo.names.branches().get(branch);
  if (!bi) return [];
  return bi.heads.filter((h) => closed || !bi.closed.has(h)).reverse();
}

/** Is `a` an ancestor of (or equal to) `b`? The null revision is everyone's ancestor. */
export function isAncestor(repo: Repository, a: Rev, b: Rev): boolean {
  if (a === NULL_REV) return true;
  if (b === NULL_REV) return false;
  if (a === b) return true;
  if (a > b) return false;
  const cl = repo.changelog;
  const seen = new Set<Rev>([b]);
  const stack = [b];
  while (stack.length) {
    const r = stack.pop()!;
    for (const p of cl.parentRevs(r)) {
      if (p === a) return true;
      if (p > a && !seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
    }
  }
  return false;
}

/** destutil.destupdate: the revision a bare `update` goes to. */
export function destUpdate(repo: Repository, p1: Rev, workingBranch: string, clean: boolean): Rev {
  const branches = repo.names.branches();
  // _destupdatebranch
  const current = clean ? repo.branchOf(p1) : workingBranch;
  if (branches.has(current)) {
    const heads = branchHeads(repo, current);
    const desc = heads.filter((h) => isAncestor(repo, p1, h));
    if (desc.length) return Math.max(...desc);
  } else if (current === 'default' && p1 === NULL_REV) {
    const cl = repo.changelog;
    const open = repo.names.heads().filter((h) => !isClosed(cl.read(h)));
    if (open.length) return Math.max(...open);
  } else {
    return p1;
  }
  // _destupdatebranchfallback
  const cur = workingBranch;
  if (branches.has(cur)) {
    const heads = branchHeads(repo, cur, true);
    const desc = heads.filter((h) => isAncestor(repo, p1, h));
    if (desc.length) return Math.max(...desc);
  }
  return repo.changelog.length - 1;
}

/** destutil._statusotherbranchheads (after a bare update). */
export function statusOtherDests(repo: Repository, ui: MergeUi, p1: Rev, workingBranch: string): void {
  const allheads = branchHeads(repo, workingBranch, true);
  const heads = branchHeads(repo, workingBranch);
  if (!allheads.includes(p1)) return;
  const otherheads = heads.filter((h) => h !== p1);
  const cs = repo.changelog.read(p1);
  if (isClosed(cs)) {
    ui.warn(`no open descendant heads on branch "${latin1(Buffer.from(workingBranch, 'utf8'))}", updating to a closed head\n`);
    if (otherheads.length) ui.warn(`(committing will reopen the head, use 'hg heads .' to see ${otherheads.length} other heads)\n`);
    else ui.warn(`(committing will reopen branch "${latin1(Buffer.from(workingBranch, 'utf8'))}")\n`);
  } else if (otherheads.length) {
    const desc = latin1(cs.description);
    const first = desc.split('\n')[0]!;
    ui.status(`updated to "${shortHex(repo.changelog.node(p1))}: ${first}"\n`);
    ui.status(`${otherheads.length} other heads for branch "${latin1(Buffer.from(workingBranch, 'utf8'))}"\n`);
  }
}

/** destutil.destmerge (no active bookmark). */
export function destMerge(repo: Repository, p1: Rev, branch: string): Rev {
  const bheads = branchHeads(repo, branch);
  const onhead = bheads.includes(p1);
  const b = branch;
  if (!onhead) {
    if (repo.names.heads().length <= 1) throw new AbortError('nothing to merge', { hint: "use 'hg update' instead" });
    throw new AbortError('working directory not at a head revision', { hint: "use 'hg update' or merge with an explicit revision" });
  }
  const others = bheads.filter((h) => !isAncestor(repo, p1, h));
  const marked = new Set<Rev>();
  for (const n of repo.names.bookmarks().values()) {
    const r = repo.changelog.findRev(n);
    if (r !== undefined) marked.add(r);
  }
  const nbhs = others.filter((h) => !marked.has(h));
  if (nbhs.length > 1) {
    throw new AbortError(`branch '${b}' has ${others.length + 1} heads - please merge with an explicit rev`, {
      hint: "run 'hg heads .' to see heads, specify rev with -r",
    });
  }
  if (nbhs.length === 0) {
    if (others.length) throw new AbortError('heads are bookmarked - please merge with an explicit rev', { hint: "run 'hg heads' to see all heads, specify rev with -r" });
    if (repo.names.heads().length > 1) {
      throw new AbortError(`branch '${b}' has one head - please merge with an explicit rev`, { hint: "run 'hg heads' to see all heads, specify rev with -r" });
    }
    throw new AbortError('nothing to merge');
  }
  return nbhs[0]!;
}

export function utf8Name(b: Uint8Array): string {
  return decodeUtf8(b);
}
