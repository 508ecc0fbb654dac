import type { CommandContext } from '../context.js';
import { optBool, optString } from '../context.js';
import { revSingle } from '../../store/revset.js';
import { AbortError, InputError } from '../../core/errors.js';
import { compareBytes, concatBytes, latin1 } from '../../core/bytes.js';
import { TreeManifest } from '../../manifest/tree-manifest.js';

const MODE: Record<number, string> = { 0x6c: '644 @ ', 0x78: '755 * ' };
const NL = Uint8Array.of(10);

export function run(ctx: CommandContext): number {
  const { ui, opts } = ctx;
  if (optString(opts, 'template') !== undefined) throw new AbortError('manifest -T is not supported by hgkit');
  const repo = ctx.repo();
  if (optBool(opts, 'all')) {
    if (optString(opts, 'rev') !== undefined || ctx.args.length > 0) throw new InputError("can't specify a revision with --all");
    // every path any changeset touched, sorted (hg walks ctx.files() of every revision)
    const cl = repo.changelog;
    const seen = new Map<string, Uint8Array>();
    for (let r = 0; r < cl.length; r++) for (const f of cl.read(r).files) seen.set(latin1(f), f);
    const paths = [...seen.values()].sort(compareBytes);
    const parts: Uint8Array[] = [];
    for (const p of paths) parts.push(p, NL);
    ui.write(concatBytes(parts));
    return 0;
  }
  const revArg = optString(opts, 'rev') ?? ctx.args[0];
  if (ctx.args.length > 0 && optString(opts, 'rev') !== undefined) {
    throw new AbortError('please specify just one revision');
  }
  const rev = revSingle(repo, revArg, '.');
  const m = repo.manifestLog.get(repo.changelog.read(rev).manifest).read();
  if (m instanceof TreeManifest) {
    // as hg, list what the readable directories give before a damaged one aborts
    const { text, error } = m.flatTextUntilError();
    writeManifestListing(ui, text, ui.verbose, ui.debugFlag);
    if (error !== undefined) throw error;
    return 0;
  }
  writeManifestListing(ui, m.text(), ui.verbose, ui.debugFlag);
  return 0;
}

/**
 * Writes `path\n` per manifest line straight from the manifest text, with
 * `mode type ` (verbose) and the hex node (debug) in front, in one buffer.
 */
function writeManifestListing(
  ui: CommandContext['ui'],
  text: Uint8Array,
  verbose: boolean,
  debug: boolean,
): void {
  if (!verbose) {
    // Each line is `path\0<40 hex><flag>\n`: copy the path and the newline.
    const out = new Uint8Array(text.length);
    let o = 0;
    let s = 0;
    while (s < text.length) {
      const z = text.indexOf(0, s);
      if (z < 0) break;
      out.set(text.subarray(s, z), o);
      o += z - s;
      out[o++] = 10;
      const nl = text.indexOf(10, z);
      s = nl < 0 ? text.length : nl + 1;
    }
    ui.write(out.subarray(0, o));
    return;
  }
  const extra = (debug ? 41 : 0) + 6;
  let lines = 0;
  for (let i = 0; i < text.length; i++) if (text[i] === 10) lines++;
  const out = new Uint8Array(text.length + lines * extra);
  let o = 0;
  let s = 0;
  const enc = new TextEncoder();
  const plain = enc.encode('644   ');
  const modes: Record<number, Uint8Array> = {};
  for (const [k, v] of Object.entries(MODE)) modes[Number(k)] = enc.encode(v);
  while (s < text.length) {
    const z = text.indexOf(0, s);
    if (z < 0) break;
    const nl = text.indexOf(10, z);
    const end = nl < 0 ? text.length : nl;
    if (debug) {
      out.set(text.subarray(z + 1, z + 41), o);
      o += 40;
      out[o++] = 0x20;
    }
    const flag = end > z + 41 ? text[z + 41]! : 0;
    const m = modes[flag] ?? plain;
    out.set(m, o);
    o += m.length;
    out.set(text.subarray(s, z), o);
    o += z - s;
    out[o++] = 10;
    s = end + 1;
  }
  ui.write(out.subarray(0, o));
}
