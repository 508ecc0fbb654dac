// The hgkit command line used by the working-copy status tests: bin/hgkit
// when its `status` handles the working copy, otherwise the same CLI bundled
// with status-working-shim.ts in place of commands/status.ts (the command
// module that will call runWorkingStatus is owned elsewhere).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { HGKIT_BIN, HG_BIN, REPO_ROOT, makeTempDir, runProcess, runProcessSync, type RunResult } from '../helpers/hg.js';

fs.mkdirSync(path.join(REPO_ROOT, 'node_modules', '.cache'), { recursive: true });

let cli: string[] | undefined;
let bundleDir: string | undefined;

/** Removes the bundle built by statusCli() (call from afterAll). */
export function removeStatusCli(): void {
  if (bundleDir !== undefined) fs.rmSync(bundleDir, { recursive: true, force: true });
  bundleDir = undefined;
  cli = undefined;
}

/** The command that runs hgkit: [node, script]. */
export async function statusCli(): Promise<string[]> {
  if (cli) return cli;
  const probe = makeTempDir('hgkit-probe-');
  runProcessSync(HG_BIN, ['init', 'r'], { cwd: probe });
  const r = await runProcess(process.execPath, [HGKIT_BIN, 'status'], { cwd: path.join(probe, 'r') });
  if (r.code === 0) return (cli = [process.execPath, HGKIT_BIN]);
  // inside the checkout (node_modules/.cache), so that the bundle resolves
  // the packages it loads at run time as dist/ does
  const out = fs.mkdtempSync(path.join(REPO_ROOT, 'node_modules', '.cache', 'hgkit-status-cli-'));
  bundleDir = out;
  process.on('exit', removeStatusCli);
  const shim = path.join(REPO_ROOT, 'test/conformance/status-working-shim.ts');
  await build({
    entryPoints: { cli: path.join(REPO_ROOT, 'src/cli/main.ts') },
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    plugins: [
      {
        name: 'status-shim',
        setup(b) {
          b.onResolve({ filter: /^\.\/status\.js$/ }, (args) =>
            args.importer.endsWith(path.join('commands', 'table.ts')) ? { path: shim } : undefined,
          );
        },
      },
    ],
  });
  fs.writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
  fs.chmodSync(out, 0o755);
  return (cli = [process.execPath, path.join(out, 'cli.js')]);
}

export async function runStatusCli(args: readonly string[], cwd: string, env?: Record<string, string | undefined>): Promise<RunResult> {
  const [node, script] = await statusCli();
  return runProcess(node!, [script!, ...args], { cwd, env });
}
