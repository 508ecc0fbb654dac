// CLI entry: global options, command lookup, error reporting as hg does it.
// Command modules and the repository code are imported only when needed.
import { resolve as resolvePath } from 'node:path';
import { ConfigError, HgError, RepoNotFoundError } from '../core/errors.js';
import { CommandLineError, parseOptions } from './options.js';
import { Ui, detectEncoding } from './ui.js';
import { commands, globalOptions, type CommandSpec } from './commands/table.js';
import type { CommandContext } from './context.js';
import type { Repository } from '../store/repo.js';

export const VERSION = '0.1.0';

function findCommand(name: string): CommandSpec | CommandSpec[] | undefined {
  for (const c of commands) if (c.name === name || c.aliases.includes(name)) return c;
  const cands = commands.filter((c) => c.name.startsWith(name) && !c.name.startsWith('debug'));
  if (cands.length === 1) return cands[0];
  if (cands.length > 1) return cands;
  const dbg = commands.filter((c) => c.name.startsWith(name));
  if (dbg.length === 1) return dbg[0];
  return dbg.length > 1 ? dbg : undefined;
}

function formatError(ui: Ui, e: unknown): number {
  if (e instanceof CommandLineError) {
    if (e.command) {
      ui.warn(`hg ${e.command}: ${e.message}\n`);
      ui.warn(`(use 'hg ${e.command} -h' to show more help)\n`);
    } else {
      ui.warn(`hg: ${e.message}\n`);
      ui.warn(`(use 'hg help -v' for a list of global options)\n`);
    }
    return 255;
  }
  if (e instanceof HgError) {
    const pe = e as HgError & { position?: number; spec?: string };
    if (e.name === 'ParseError') {
      const at = pe.position !== undefined ? ` at ${pe.position}` : '';
      ui.warn(`hg: parse error${at}: ${e.message}\n`);
      if (pe.position !== undefined && pe.spec) ui.warn(`(${pe.spec}\n${' '.repeat(pe.position)}^ here)\n`);
      return 255;
    }
    ui.warn(e instanceof ConfigError ? `config error: ${e.message}\n` : `abort: ${e.message}\n`);
    if (e.hint) ui.warn(`(${e.hint})\n`);
    if (ui.traceback && e.stack) ui.warn(e.stack + '\n');
    return 255;
  }
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && err.syscall) {
    const msg = errnoMessage(err);
    ui.warn(err.path ? `abort: ${msg}: '${err.path}'\n` : `abort: ${msg}\n`);
    if (ui.traceback && err.stack) ui.warn(err.stack + '\n');
    return 255;
  }
  ui.warn(`abort: internal error: ${(e as Error)?.message ?? String(e)}\n`);
  if (ui.traceback && (e as Error)?.stack) ui.warn((e as Error).stack + '\n');
  return 255;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EEXIST: 'File exists',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
};

function errnoMessage(err: NodeJS.ErrnoException): string {
  return ERRNO_TEXT[err.code!] ?? err.message;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let ui = new Ui({ encoding: detectEncoding(env) });
  try {
    const g = parseOptions(argv, globalOptions, { stopAtFirstArg: true });
    if (g.values.version) {
      ui.write(`hgkit ${VERSION} (compatible with Mercurial Distributed SCM version 6.3.2)\n`);
      return 0;
    }
    const [name, ...restArgs] = g.args;
    if (name === undefined) {
      ui.write('hgkit: a Mercurial-compatible version-control engine\n\nbasic commands:\n\n');
      for (const c of commands) if (!c.name.startsWith('debug')) ui.write(` ${c.name.padEnd(12)}${c.synopsis}\n`);
      return 0;
    }
    const found = findCommand(name);
    if (found === undefined) {
      ui.warn(`hg: unknown command '${name}'\n(use 'hg help' for a list of commands)\n`);
      return 255;
    }
    if (Array.isArray(found)) {
      ui.warn(`hg: command '${name}' is ambiguous:\n    ${found.map((c) => c.name).sort().join(' ')}\n`);
      return 255;
    }
    const spec = found;
    const parsed = parseOptions(restArgs, [...globalOptions, ...spec.options], { command: spec.name });
    const values = { ...g.values };
    for (const [k, v] of Object.entries(parsed.values)) {
      if (v !== undefined && !(Array.isArray(v) && v.length === 0)) values[k] = v;
      else if (values[k] === undefined) values[k] = v;
    }
    ui = new Ui({
      quiet: values.quiet === true,
      verbose: values.verbose === true,
      debug: values.debug === true,
      traceback: values.traceback === true,
      encoding: typeof values.encoding === 'string' ? values.encoding : detectEncoding(env),
    });
    const cwd = typeof values.cwd === 'string' ? resolvePath(process.cwd(), values.cwd) : process.cwd();
    const repoArg = typeof values.repository === 'string' ? values.repository : undefined;
    const mod = await spec.load();
    if (spec.writes) {
      // Live transactions roll back first (the lock module's guard), then hg's exit.
      const { setInterruptHandler } = await import('../vfs/lock.js');
      const errUi = ui;
      setInterruptHandler((signal) => {
        errUi.warn(signal === 'SIGINT' ? 'interrupted!\n' : 'killed!\n');
        process.exit(255);
      });
    }
    let repoCache: Repository | undefined;
    const { Repository } = spec.norepo ? { Repository: undefined } : await import('../store/repo.js');
    const ctx: CommandContext = {
      ui,
      args: parsed.args,
      opts: values,
      cwd,
      env,
      repo(): Repository {
        if (!Repository) throw new RepoNotFoundError('this command does not use a repository');
        if (!repoCache) {
          if (repoArg !== undefined) {
            try {
              repoCache = Repository.open(resolvePath(cwd, repoArg));
            } catch (e) {
              if (e instanceof RepoNotFoundError) throw new RepoNotFoundError(`repository ${repoArg} not found`);
              throw e;
            }
          } else repoCache = Repository.find(cwd);
        }
        return repoCache;
      },
    };
    const rc = await mod.run(ctx);
    return typeof rc === 'number' ? rc : 0;
  } catch (e) {
    return formatError(ui, e);
  } finally {
    ui.flush();
    if (env.HGKIT_TREE_STATS) {
      // benchmarks (bench/e2e/tree.mjs): directory manifests read from storage
      const { treeStats } = await import('../manifest/tree-manifest.js');
      process.stderr.write(`treeStats.dirsRead ${treeStats.dirsRead}\n`);
    }
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`abort: internal error: ${String(e)}\n`);
    process.exitCode = 255;
  },
);
