// Node built-in modules loaded on first use, synchronously. A static ESM
// `import ... from 'node:crypto'` builds the module's ESM facade at start-up
// (~1-2 ms each for crypto and zlib, measured), which a short command that
// never hashes or inflates would pay for nothing.
import { createRequire } from 'node:module';

type GetBuiltin = (id: string) => unknown;
const getBuiltin: GetBuiltin =
  (process as unknown as { getBuiltinModule?: GetBuiltin }).getBuiltinModule?.bind(process) ?? createRequire(import.meta.url);

let cryptoModule: typeof import('node:crypto') | undefined;
let zlibModule: typeof import('node:zlib') | undefined;

export function nodeCrypto(): typeof import('node:crypto') {
  return (cryptoModule ??= getBuiltin('node:crypto') as typeof import('node:crypto'));
}

export function nodeZlib(): typeof import('node:zlib') {
  return (zlibModule ??= getBuiltin('node:zlib') as typeof import('node:zlib'));
}
