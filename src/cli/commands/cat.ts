import type { CommandContext } from '../context.js';
import { optList, optString } from '../context.js';
import { revSingle } from '../../store/revset.js';
import { AbortError, InputError } from '../../core/errors.js';
import { fromLatin1, hexBytesToBin, latin1, toHex } from '../../core/bytes.js';
import { buildMatcher, pathText } from '../../dirstate/matcher.js';
import { forEachManifestLine } from '../../manifest/manifest-text.js';
import { TreeManifest } from '../../manifest/tree-manifest.js';
import { walkTree } from '../manifest-walk.js';
import { cwdRelative } from './util.js';

export function run(ctx: CommandContext): number {
  const { ui, opts } = ctx;
  if (ctx.args.length === 0) throw new InputError('invalid arguments');
  if (optString(opts, 'output') !== undefined) throw new AbortError('cat --output is not supported by hgkit');
  if (optString(opts, 'template') !== undefined) throw new AbortError('cat -T is not supported by hgkit');
  const repo = ctx.repo();
  const rev = revSingle(repo, optString(opts, 'rev'), '.');
  const matcher = buildMatcher({
    cwdRel: cwdRelative(repo.root, ctx.cwd),
    patterns: ctx.args,
    include: optList(opts, 'include'),
    exclude: optList(opts, 'exclude'),
  });
  const manifest = repo.manifestLog.get(repo.changelog.read(rev).manifest).read();
  // hg's fast path: plain paths that are all files of the manifest need no walk.
  if (!matcher.anyPats && matcher.files.length > 0 && matcher.files.length < 100) {
    const sorted = [...new Set(matcher.files)].sort();
    const entries = sorted.map((f) => manifest.get(fromLatin1(f)));
    if (entries.every((e) => e !== undefined)) {
      sorted.forEach((f, i) => {
        const fl = repo.file(fromLatin1(f));
        ui.write(fl.read(fl.revlog.rev(entries[i]!.node.subarray(0, 20))));
      });
      return 0;
    }
  }
  const noSuchFile = (f: string): void => ui.warn(`${pathText(f)}: no such file in rev ${toHex(repo.changelog.node(rev), 0, 6)}\n`);
  if (manifest instanceof TreeManifest) {
    // hg's treemanifest.walk: only the directories the matcher visits are read
    const { paths, bad } = walkTree(manifest, matcher);
    for (const p of paths) {
      const fl = repo.file(p);
      ui.write(fl.read(fl.revlog.rev(manifest.get(p)!.node.subarray(0, 20))));
    }
    bad.forEach(noSuchFile);
    return paths.length > 0 ? 0 : 1;
  }
  const text = manifest.text();
  const wanted = new Set(matcher.files);
  const dirsSeen = new Set<string>();
  let wrote = false;
  forEachManifestLine(text, (s, z) => {
    const path = latin1(text, s, z);
    if (wanted.size) {
      wanted.delete(path);
      for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) dirsSeen.add(path.slice(0, i));
    }
    if (!matcher.matches(path)) return;
    const node = hexBytesToBin(text, z + 1, 20)!;
    const fl = repo.file(text.subarray(s, z));
    ui.write(fl.read(fl.revlog.rev(node)));
    wrote = true;
  });
  for (const f of [...wanted].sort()) {
    if (dirsSeen.has(f)) continue;
    noSuchFile(f);
  }
  return wrote ? 0 : 1;
}
