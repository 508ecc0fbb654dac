// hg's fancyopts: GNU-style option parsing with hg's option kinds, long
// option prefixes, bundled short flags, and `--` to end options.
import { InputError } from '../core/errors.js';

export type OptionKind = 'bool' | 'string' | 'list' | 'int';

export interface OptionSpec {
  short?: string;
  long: string;
  kind: OptionKind;
  help: string;
  /** Placeholder shown in help (REV, FILE...). */
  value?: string;
}

export type OptionValues = Record<string, boolean | string | string[] | number | undefined>;

/** A bad command line; `command` is set for command-specific errors ("hg log: ..."). */
export class CommandLineError extends InputError {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

function initial(spec: OptionSpec): boolean | string | string[] | number | undefined {
  if (spec.kind === 'list') return [];
  if (spec.kind === 'bool') return undefined;
  return undefined;
}

/**
 * Parses `argv` against `specs`. With `stopAtFirstArg`, parsing stops at the
 * first non-option (used for global options before the command name).
 */
export function parseOptions(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  opts: { stopAtFirstArg?: boolean; command?: string; keepUnknown?: boolean } = {},
): { values: OptionValues; args: string[]; rest: string[] } {
  const values: OptionValues = {};
  for (const s of specs) values[s.long] = initial(s);
  const args: string[] = [];
  const rest: string[] = [];
  const byShort = new Map<string, OptionSpec>();
  const byLong = new Map<string, OptionSpec>();
  for (const s of specs) {
    if (s.short) byShort.set(s.short, s);
    byLong.set(s.long, s);
  }
  const set = (spec: OptionSpec, raw: string | undefined, negated = false): void => {
    switch (spec.kind) {
      case 'bool':
        values[spec.long] = !negated;
        break;
      case 'string':
        values[spec.long] = raw!;
        break;
      case 'list':
        (values[spec.long] as string[]).push(raw!);
        break;
      case 'int': {
        if (!/^[+-]?\d+$/.test(raw!.trim())) {
          throw new CommandLineError(`invalid value '${raw}' for option --${spec.long}, expected int`, opts.command);
        }
        values[spec.long] = parseInt(raw!, 10);
        break;
      }
    }
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      i = argv.length;
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      let spec = byLong.get(name);
      let negated = false;
      if (!spec) {
        const cands = [...byLong.keys()].filter((k) => k.startsWith(name));
        if (cands.length === 1) spec = byLong.get(cands[0]!);
        else if (cands.length > 1) {
          throw new CommandLineError(`option --${name} not a unique prefix`, opts.command);
        }
      }
      if (!spec && name.startsWith('no-')) {
        const base = byLong.get(name.slice(3));
        if (base && base.kind === 'bool') {
          spec = base;
          negated = true;
        }
      }
      if (!spec) {
        if (opts.keepUnknown) {
          rest.push(a);
          continue;
        }
        throw new CommandLineError(`option --${name} not recognized`, opts.command);
      }
      if (spec.kind === 'bool') {
        if (eq >= 0) throw new CommandLineError(`option --${spec.long} must not have an argument`, opts.command);
        set(spec, undefined, negated);
      } else {
        let v: string | undefined;
        if (eq >= 0) v = a.slice(eq + 1);
        else if (i + 1 < argv.length) v = argv[++i];
        else throw new CommandLineError(`option --${spec.long} requires argument`, opts.command);
        set(spec, v);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      let j = 1;
      while (j < a.length) {
        const c = a[j]!;
        const spec = byShort.get(c);
        if (!spec) {
          if (opts.keepUnknown) {
            rest.push(a);
            break;
          }
          throw new CommandLineError(`option -${c} not recognized`, opts.command);
        }
        if (spec.kind === 'bool') {
          set(spec, undefined);
          j++;
          continue;
        }
        let v: string | undefined;
        if (j + 1 < a.length) v = a.slice(j + 1);
        else if (i + 1 < argv.length) v = argv[++i];
        else throw new CommandLineError(`option -${c} requires argument`, opts.command);
        set(spec, v);
        break;
      }
      continue;
    }
    if (opts.stopAtFirstArg) {
      args.push(...argv.slice(i));
      i = argv.length;
      break;
    }
    args.push(a);
  }
  return { values, args, rest };
}
