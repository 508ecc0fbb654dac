// Bundles the library and the CLI with esbuild. The CLI entry is kept tiny and
// each command is a separate chunk loaded on demand, so `hgkit --version` pays
// only for the dispatcher (start-up target: within 10 ms of `node -e 0`).
// The bundle is built beside dist/ and swapped in only when complete, so a
// failed build never leaves a half-written or missing dist/.
import { build } from 'esbuild';
import { renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const next = `${root}dist.next-${process.pid}`;
const old = `${root}dist.old-${process.pid}`;
try {
  await build({
    absWorkingDir: root,
    entryPoints: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
    outdir: next,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: false,
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'error',
  });
} catch {
  rmSync(next, { recursive: true, force: true });
  process.exit(1);
}
try {
  renameSync(`${root}dist`, old);
} catch {
  // no previous build
}
renameSync(next, `${root}dist`);
rmSync(old, { recursive: true, force: true });
