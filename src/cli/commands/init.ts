// hg init [DEST]: localrepo.createrepository. The requirements follow hg
// 6.3.2's newreporequirements from the format.* / experimental.treemanifest
// values given with --config (store/new-repo-requirements.ts); by default:
//
//   .hg/requires          share-safe
//   .hg/store/requires    dotencode fncache generaldelta revlog-compression-zstd
//                         revlogv1 sparserevlog store
//   .hg/00changelog.i     the dummy revlog (version 0xffff) that locks out
//                         pre-store clients (store repositories only)
//   .hg/cache, .hg/wcache, .hg/store (empty directories)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommandContext } from '../context.js';
import { CommandLineError } from '../options.js';
import { AbortError } from '../../core/errors.js';
import { strerrorOf } from '../../dirstate/node-fs.js';
import { type FormatConfig, newRepoRequirements, splitRequirements } from '../../store/new-repo-requirements.js';
import { configBool, configList, configValue } from '../config-args.js';

/** `\0\0\xff\xff dummy changelog to prevent using the old repo layout` (57 bytes). */
export const DUMMY_CHANGELOG = Buffer.concat([Buffer.from([0, 0, 0xff, 0xff]), Buffer.from(' dummy changelog to prevent using the old repo layout', 'latin1')]);

/** os.path.expanduser + os.path.expandvars, as hg's vfs(expandpath=True). */
function expandPath(p: string, env: NodeJS.ProcessEnv): string {
  let s = p;
  if (s === '~' || s.startsWith('~/')) {
    const home = env['HOME'] ?? os.homedir();
    s = home + s.slice(1);
  } else if (s.startsWith('~')) {
    const slash = s.indexOf('/');
    const name = s.slice(1, slash < 0 ? undefined : slash);
    try {
      const home = name === os.userInfo().username ? os.homedir() : undefined;
      if (home) s = home + (slash < 0 ? '' : s.slice(slash));
    } catch {
      // unknown user: left as is
    }
  }
  if (s.includes('$')) {
    s = s.replace(/\$(\w+|\{[^}]*\})/g, (m, name: string) => {
      const key = name.startsWith('{') ? name.slice(1, -1) : name;
      const v = env[key];
      return v === undefined ? m : v;
    });
  }
  return s;
}

/** hg's urlutil.urllocalpath for the forms `hg init` accepts locally. */
function localPath(dest: string): string {
  if (dest.startsWith('file://')) {
    let p = dest.slice('file://'.length);
    if (p.startsWith('localhost/')) p = p.slice('localhost'.length);
    return decodeURIComponent(p);
  }
  if (dest.startsWith('file:')) return decodeURIComponent(dest.slice('file:'.length));
  return dest;
}

/**
 * Creates a repository with requirements `reqs` at `root` (an OS path);
 * `shown` names it in errors.
 */
export function createRepository(root: string, shown: string, reqs: ReadonlySet<string>): void {
  const [wcReqs, storeReqs] = splitRequirements(reqs);
  const hasStore = reqs.has('store');
  const hgDir = path.join(root, '.hg');
  if (fs.existsSync(hgDir)) throw new AbortError(`repository ${shown} already exists`);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(root);
  } catch {
    st = undefined;
  }
  if (st && !st.isDirectory()) throw new AbortError('cannot create new bundle repository');
  try {
    if (!st) fs.mkdirSync(root, { recursive: true });
    fs.mkdirSync(hgDir);
    fs.mkdirSync(path.join(hgDir, 'cache'));
    fs.mkdirSync(path.join(hgDir, 'wcache'));
    if (hasStore) {
      fs.mkdirSync(path.join(hgDir, 'store'));
      fs.appendFileSync(path.join(hgDir, '00changelog.i'), DUMMY_CHANGELOG);
    }
    writeRequires(path.join(hgDir, 'requires'), wcReqs);
    if (storeReqs) writeRequires(path.join(hgDir, 'store', 'requires'), storeReqs);
  } catch (e) {
    if (e instanceof AbortError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new AbortError(err.path ? `${strerrorOf(e)}: '${err.path}'` : strerrorOf(e));
  }
}

/** scmutil.writerequires: sorted lines through an atomic temporary file. */
function writeRequires(file: string, reqs: readonly string[]): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}-${process.pid}~`);
  fs.writeFileSync(tmp, [...reqs].sort().map((r) => r + '\n').join(''));
  fs.renameSync(tmp, file);
}

export function run(ctx: CommandContext): number {
  const { ui, args, opts } = ctx;
  if (args.length > 1) throw new CommandLineError('invalid arguments', 'init');
  if (typeof opts['repository'] === 'string') ui.warn('warning: --repository ignored\n');
  const dest = args[0] ?? '.';
  if (/^(ssh|https?):\/\//.test(dest)) {
    if (dest.startsWith('ssh:')) throw new AbortError('hgkit cannot create remote repositories');
    throw new AbortError('cannot create new http repository');
  }
  const local = expandPath(localPath(dest), ctx.env);
  const cfg: FormatConfig = {
    bool: (k, d) => configBool(opts, k, d),
    list: (k, d) => configList(opts, k, d),
    value: (k) => configValue(opts, k),
    has: (k) => configValue(opts, k) !== undefined,
  };
  const reqs = newRepoRequirements(cfg, (m) => ui.warn(m));
  createRepository(path.resolve(ctx.cwd, local), dest, reqs);
  return 0;
}
