import type { CommandContext } from '../context.js';
import { optBool, optList, optString } from '../context.js';
import { revSingle } from '../../store/revset.js';
import { AbortError } from '../../core/errors.js';
import { latin1, toHex } from '../../core/bytes.js';
import { TreeManifest } from '../../manifest/tree-manifest.js';
import { walkTree } from '../manifest-walk.js';
import { buildMatcher, pathText } from '../../dirstate/matcher.js';
import { forEachManifestLine } from '../../manifest/manifest-text.js';
import { cwdRelative } from './util.js';
import { makeRelativeDisplay } from '../paths.js';

export function run(ctx: CommandContext): number {
  const { ui, opts } = ctx;
  if (optString(opts, 'template') !== undefined) throw new AbortError('files -T is not supported by hgkit');
  const repo = ctx.repo();
  const revArg = optString(opts, 'rev');
  if (revArg === undefined) throw new AbortError('files without -r (working directory) is not supported by hgkit yet');
  const rev = revSingle(repo, revArg, '.');
  const matcher = buildMatcher({
    cwdRel: cwdRelative(repo.root, ctx.cwd),
    patterns: ctx.args,
    include: optList(opts, 'include'),
    exclude: optList(opts, 'exclude'),
  });
  const end = optBool(opts, 'print0') ? '\0' : '\n';
  const display = makeRelativeDisplay(repo.root, ctx.cwd);
  const m = repo.manifestLog.get(repo.changelog.read(rev).manifest).read();
  const noSuchFile = (f: string): void => ui.warn(`${display(pathText(f))}: no such file in rev ${toHex(repo.changelog.node(rev), 0, 6)}\n`);
  if (m instanceof TreeManifest) {
    // hg's treemanifest.walk: only the directories the matcher visits are read
    const { paths, bad } = walkTree(m, matcher);
    for (const p of paths) ui.write(display(pathText(latin1(p))) + end);
    bad.forEach(noSuchFile);
    return paths.length > 0 ? 0 : 1;
  }
  const text = m.text();
  const wanted = new Set(matcher.files);
  const dirsSeen = new Set<string>();
  let any = false;
  forEachManifestLine(text, (s, z) => {
    const path = latin1(text, s, z);
    if (wanted.size) {
      wanted.delete(path);
      for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) dirsSeen.add(path.slice(0, i));
    }
    if (!matcher.matches(path)) return;
    ui.write(display(pathText(path)) + end);
    any = true;
  });
  for (const f of [...wanted].sort()) {
    if (dirsSeen.has(f)) continue;
    noSuchFile(f);
  }
  return any ? 0 : 1;
}
