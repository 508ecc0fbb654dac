// Values given with --config SECTION.NAME=VALUE (hgkit reads no hgrc files):
// the last one wins, as in hg's ui.
import { ConfigError } from '../core/errors.js';
import { optList, type CommandContext } from './context.js';

type Opts = CommandContext['opts'];

export function configValue(opts: Opts, key: string): string | undefined {
  let v: string | undefined;
  for (const c of optList(opts, 'config')) {
    const eq = c.indexOf('=');
    if (eq > 0 && c.slice(0, eq).trim() === key) v = c.slice(eq + 1).trim();
  }
  return v;
}

const BOOLEANS: Record<string, boolean> = { '1': true, yes: true, true: true, on: true, always: true, '0': false, no: false, false: false, off: false, never: false };

/** ui.configbool: ConfigError for a value that is not a boolean. */
export function configBool(opts: Opts, key: string, dflt: boolean): boolean {
  const v = configValue(opts, key);
  if (v === undefined) return dflt;
  const b = BOOLEANS[v.toLowerCase()];
  if (b === undefined) throw new ConfigError(`${key} is not a boolean ('${v}')`);
  return b;
}

/** ui.configlist for plain values: comma/space separated words. */
export function configList(opts: Opts, key: string, dflt: readonly string[]): string[] {
  const v = configValue(opts, key);
  if (v === undefined) return [...dflt];
  return v.split(/[\s,]+/).filter((w) => w.length > 0);
}
