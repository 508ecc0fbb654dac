import type { Rev, Node } from '../core/node.js';
import { NULL_REV } from '../core/node.js';
import type { Revlog } from '../revlog/revlog.js';
import { type Changeset, nullChangeset, parseChangeset } from './changeset.js';

/** The changelog: changeset texts in a revlog, parents in canonical order. */
export class Changelog {
  private lastRev: Rev = NULL_REV - 1;
  private last: Changeset | undefined;

  constructor(readonly revlog: Revlog) {}

  get length(): number {
    return this.revlog.length;
  }

  tip(): Rev {
    return this.revlog.length - 1;
  }

  node(rev: Rev): Node {
    return this.revlog.node(rev);
  }

  rev(node: Node): Rev {
    return this.revlog.rev(node);
  }

  findRev(node: Node): Rev | undefined {
    return this.revlog.findRev(node);
  }

  /** Parents with a null p1 and real p2 swapped, as hg's changelog reports them. */
  parentRevs(rev: Rev): [Rev, Rev] {
    if (rev === NULL_REV) return [NULL_REV, NULL_REV];
    const [p1, p2] = this.revlog.parentRevs(rev);
    return p1 === NULL_REV && p2 !== NULL_REV ? [p2, p1] : [p1, p2];
  }

  read(rev: Rev): Changeset {
    if (rev === NULL_REV) return nullChangeset();
    if (rev === this.lastRev && this.last) return this.last;
    const cs = parseChangeset(this.revlog.revision(rev));
    this.lastRev = rev;
    this.last = cs;
    return cs;
  }
}
