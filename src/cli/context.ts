import type { Ui } from './ui.js';
import type { OptionValues } from './options.js';
import type { Repository } from '../store/repo.js';

export interface CommandContext {
  ui: Ui;
  /** Positional arguments after option parsing. */
  args: string[];
  opts: OptionValues;
  /** Current directory (after --cwd). */
  cwd: string;
  /** The repository (found from cwd or -R); throws hg's error when there is none. */
  repo(): Repository;
  env: NodeJS.ProcessEnv;
}

export function optString(opts: OptionValues, name: string): string | undefined {
  const v = opts[name];
  return typeof v === 'string' ? v : undefined;
}

export function optList(opts: OptionValues, name: string): string[] {
  const v = opts[name];
  return Array.isArray(v) ? v : [];
}

export function optBool(opts: OptionValues, name: string): boolean {
  return opts[name] === true;
}
