import type { Rev } from '../core/node.js';
import type { Changelog } from '../changelog/changelog.js';

/** What revision resolution needs from a repository. */
export interface RepoView {
  readonly changelog: Changelog;
  /** Rev of the working copy's first parent (-1 when none). */
  workingParentRev(): Rev;
  /** Rev named by a bookmark, tag or branch, as hg's namespaces resolve it. */
  lookupName(name: string): Rev | undefined;
  isName(name: string): boolean;
  branchOf(rev: Rev): string;
  branchNames(): ReadonlySet<string>;
  /** Heads of every branch (closed ones too with `closed`). */
  branchHeadRevs(opts: { closed: boolean }): Rev[];
}
