// hg verify: runs the store/verify.ts checks and prints what hg 6.3.2 prints
// (status lines on stdout, problems on stderr, the summary, exit code 1 when
// integrity errors were found).
import type { CommandContext } from '../context.js';
import { optBool } from '../context.js';
import { fromLatin1 } from '../../core/bytes.js';
import { HINT_FNCACHE, verifyEventText, verifyRepository, type VerifyEvent } from '../../store/verify.js';
import { NULL_REV } from '../../core/node.js';

export function run(ctx: CommandContext): number {
  const repo = ctx.repo();
  const ui = ctx.ui;
  const line = (ev: VerifyEvent): Uint8Array => fromLatin1(verifyEventText(ev) + '\n');
  const res = verifyRepository(repo, {
    full: optBool(ctx.opts, 'full'),
    verbose: ui.verbose,
    onEvent(ev) {
      switch (ev.type) {
        case 'status':
          ui.status(line(ev));
          break;
        case 'note':
          ui.note(line(ev));
          break;
        default:
          ui.warn(line(ev));
      }
    },
  });
  ui.status(`checked ${res.changesets} changesets with ${res.fileRevisions} changes to ${res.files} files\n`);
  if (res.warnings) ui.warn(`${res.warnings} warnings encountered!\n`);
  if (res.fncacheWarned) ui.warn(HINT_FNCACHE + '\n');
  let rc = 0;
  if (res.errors) {
    ui.warn(`${res.errors} integrity errors encountered!\n`);
    if (res.firstDamagedRev !== undefined) ui.warn(`(first damaged changeset appears to be ${res.firstDamagedRev})\n`);
    rc = 1;
  }
  // hg.verify then checks subrepositories named by .hgsubstate revisions.
  const substate = repo.file(fromLatin1('.hgsubstate'));
  if (substate.length > 0 && substate.linkRev(0) !== NULL_REV) {
    ui.status('checking subrepo links\n');
  }
  return rc;
}
