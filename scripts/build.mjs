// Bundles the library and the CLI with esbuild. The CLI entry is kept tiny and
// each command is a separate chunk loaded on demand, so `hgkit --version` pays
// only for the dispatcher (start-up target: within 10 ms of `node -e 0`).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
