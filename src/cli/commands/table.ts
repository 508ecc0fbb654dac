// The command table: names, aliases and options only. Command code lives in
// its own module, loaded when the command runs, so start-up stays small.
import type { OptionSpec } from '../options.js';
import type { CommandContext } from '../context.js';

export interface CommandModule {
  run(ctx: CommandContext): Promise<number | void> | number | void;
}

export interface CommandSpec {
  name: string;
  aliases: string[];
  synopsis: string;
  options: OptionSpec[];
  /** Does not need a repository. */
  norepo?: boolean;
  /** Takes locks or opens transactions: signals are turned into hg's "interrupted!"/"killed!" exit. */
  writes?: boolean;
  load: () => Promise<CommandModule>;
}

const o = (short: string | undefined, long: string, kind: OptionSpec['kind'], help: string, value?: string): OptionSpec => ({
  short,
  long,
  kind,
  help,
  value,
});

const include = o('I', 'include', 'list', 'include names matching the given patterns', 'PATTERN');
const exclude = o('X', 'exclude', 'list', 'exclude names matching the given patterns', 'PATTERN');
const template = o('T', 'template', 'string', 'display with template', 'TEMPLATE');
const style = o(undefined, 'style', 'string', 'display using template map file (DEPRECATED)', 'STYLE');

export const globalOptions: OptionSpec[] = [
  o('R', 'repository', 'string', 'repository root directory or name of overlay bundle file', 'REPO'),
  o(undefined, 'cwd', 'string', 'change working directory', 'DIR'),
  o('y', 'noninteractive', 'bool', 'do not prompt, automatically pick the first choice for all prompts'),
  o('q', 'quiet', 'bool', 'suppress output'),
  o('v', 'verbose', 'bool', 'enable additional output'),
  o(undefined, 'color', 'string', "when to colorize (boolean, always, auto, never, or debug)", 'TYPE'),
  o(undefined, 'config', 'list', 'set/override config option (use \'section.name=value\')', 'CONFIG'),
  o(undefined, 'debug', 'bool', 'enable debugging output'),
  o(undefined, 'debugger', 'bool', 'start debugger'),
  o(undefined, 'encoding', 'string', 'set the charset encoding', 'ENCODE'),
  o(undefined, 'encodingmode', 'string', 'set the charset encoding mode', 'MODE'),
  o(undefined, 'traceback', 'bool', 'always print a traceback on exception'),
  o(undefined, 'time', 'bool', 'time how long the command takes'),
  o(undefined, 'profile', 'bool', 'print command execution profile'),
  o(undefined, 'version', 'bool', 'output version information and exit'),
  o('h', 'help', 'bool', 'display help and exit'),
  o(undefined, 'hidden', 'bool', 'consider hidden changesets'),
  o(undefined, 'pager', 'string', 'when to paginate (boolean, always, auto, or never)', 'TYPE'),
];

export const commands: CommandSpec[] = [
  {
    name: 'cat',
    aliases: [],
    synopsis: 'cat [OPTION]... FILE...',
    options: [
      o('o', 'output', 'string', 'print output to file with formatted name', 'FORMAT'),
      o('r', 'rev', 'string', 'print the given revision', 'REV'),
      o(undefined, 'decode', 'bool', 'apply any matching decode filter'),
      include,
      exclude,
      template,
    ],
    load: () => import('./cat.js'),
  },
  {
    name: 'debugdata',
    aliases: [],
    synopsis: 'debugdata -c|-m|FILE REV',
    options: [
      o('c', 'changelog', 'bool', 'open changelog'),
      o('m', 'manifest', 'bool', 'open manifest'),
      o(undefined, 'dir', 'string', 'open directory manifest', 'VALUE'),
    ],
    load: () => import('./debugdata.js'),
  },
  {
    name: 'debugindex',
    aliases: [],
    synopsis: 'debugindex -c|-m|FILE',
    options: [
      o('c', 'changelog', 'bool', 'open changelog'),
      o('m', 'manifest', 'bool', 'open manifest'),
      o(undefined, 'dir', 'string', 'open directory manifest', 'VALUE'),
      template,
    ],
    load: () => import('./debugindex.js'),
  },
  {
    name: 'diff',
    aliases: [],
    synopsis: 'diff [OPTION]... ([-c REV] | [--from REV1] [--to REV2]) [FILE]...',
    options: [
      o('r', 'rev', 'list', 'revision (DEPRECATED)', 'REV'),
      o(undefined, 'from', 'string', 'revision to diff from', 'REV1'),
      o(undefined, 'to', 'string', 'revision to diff to', 'REV2'),
      o('c', 'change', 'string', 'change made by revision', 'REV'),
      o('a', 'text', 'bool', 'treat all files as text'),
      o('g', 'git', 'bool', 'use git extended diff format (DEFAULT: diff.git)'),
      o(undefined, 'binary', 'bool', 'generate binary diffs in git mode (default)'),
      o(undefined, 'nodates', 'bool', 'omit dates from diff headers'),
      o(undefined, 'noprefix', 'bool', 'omit a/ and b/ prefixes from filenames'),
      o('p', 'show-function', 'bool', 'show which function each change is in (DEFAULT: diff.showfunc)'),
      o(undefined, 'reverse', 'bool', 'produce a diff that undoes the changes'),
      o('w', 'ignore-all-space', 'bool', 'ignore white space when comparing lines'),
      o('b', 'ignore-space-change', 'bool', 'ignore changes in the amount of white space'),
      o('B', 'ignore-blank-lines', 'bool', 'ignore changes whose lines are all blank'),
      o('Z', 'ignore-space-at-eol', 'bool', 'ignore changes in whitespace at EOL'),
      o('U', 'unified', 'string', 'number of lines of context to show', 'NUM'),
      o(undefined, 'stat', 'bool', 'output diffstat-style summary of changes'),
      o(undefined, 'root', 'string', 'produce diffs relative to subdirectory', 'DIR'),
      include,
      exclude,
      o('S', 'subrepos', 'bool', 'recurse into subrepositories'),
    ],
    load: () => import('./diff.js'),
  },
  {
    name: 'files',
    aliases: [],
    synopsis: 'files [OPTION]... [FILE]...',
    options: [
      o('r', 'rev', 'string', 'search the repository as it is in REV', 'REV'),
      o('0', 'print0', 'bool', 'end filenames with NUL, for use with xargs'),
      include,
      exclude,
      template,
      o('S', 'subrepos', 'bool', 'recurse into subrepositories'),
    ],
    load: () => import('./files.js'),
  },
  {
    name: 'heads',
    aliases: [],
    synopsis: 'heads [-ct] [-r STARTREV] [REV]...',
    options: [
      o('r', 'rev', 'string', 'show only heads which are descendants of STARTREV', 'STARTREV'),
      o('t', 'topo', 'bool', 'show topological heads only'),
      o('a', 'active', 'bool', 'show active branchheads only (DEPRECATED)'),
      o('c', 'closed', 'bool', 'show normal and closed branch heads'),
      style,
      template,
    ],
    load: () => import('./heads.js'),
  },
  {
    name: 'identify',
    aliases: ['id'],
    synopsis: 'identify [-nibtB] [-r REV] [SOURCE]',
    options: [
      o('r', 'rev', 'string', 'identify the specified revision', 'REV'),
      o('n', 'num', 'bool', 'show local revision number'),
      o('i', 'id', 'bool', 'show global revision id'),
      o('b', 'branch', 'bool', 'show branch'),
      o('t', 'tags', 'bool', 'show tags'),
      o('B', 'bookmarks', 'bool', 'show bookmarks'),
      template,
    ],
    load: () => import('./identify.js'),
  },
  {
    name: 'log',
    aliases: ['history'],
    synopsis: 'log [OPTION]... [FILE]',
    options: [
      o('f', 'follow', 'bool', 'follow changeset history, or file history across copies and renames'),
      o(undefined, 'follow-first', 'bool', 'only follow the first parent of merge changesets (DEPRECATED)'),
      o('d', 'date', 'string', 'show revisions matching date spec', 'DATE'),
      o('C', 'copies', 'bool', 'show copied files'),
      o('k', 'keyword', 'list', 'do case-insensitive search for a given text', 'TEXT'),
      o('r', 'rev', 'list', 'revisions to select or follow from', 'REV'),
      o('L', 'line-range', 'list', 'follow line range of specified file (EXPERIMENTAL)', 'FILE,RANGE'),
      o(undefined, 'removed', 'bool', 'include revisions where files were removed'),
      o('m', 'only-merges', 'bool', 'show only merges (DEPRECATED) (use -r "merge()" instead)'),
      o('u', 'user', 'list', 'revisions committed by user', 'USER'),
      o(undefined, 'only-branch', 'list', 'show only changesets within the given named branch (DEPRECATED)', 'BRANCH'),
      o('b', 'branch', 'list', 'show changesets within the given named branch', 'BRANCH'),
      o('B', 'bookmark', 'list', 'show changesets within the given bookmark', 'BOOKMARK'),
      o('P', 'prune', 'list', 'do not display revision or any of its ancestors', 'REV'),
      o('p', 'patch', 'bool', 'show patch'),
      o('g', 'git', 'bool', 'use git extended diff format'),
      o('l', 'limit', 'string', 'limit number of changes displayed', 'NUM'),
      o('M', 'no-merges', 'bool', 'do not show merges'),
      o(undefined, 'stat', 'bool', 'output diffstat-style summary of changes'),
      o('G', 'graph', 'bool', 'show the revision DAG'),
      style,
      template,
      include,
      exclude,
    ],
    load: () => import('./log.js'),
  },
  {
    name: 'manifest',
    aliases: [],
    synopsis: 'manifest [-r REV]',
    options: [
      o('r', 'rev', 'string', 'revision to display', 'REV'),
      o(undefined, 'all', 'bool', 'list files from all revisions'),
      template,
    ],
    load: () => import('./manifest.js'),
  },
  {
    name: 'status',
    aliases: ['st'],
    synopsis: 'status [OPTION]... [FILE]...',
    options: [
      o('A', 'all', 'bool', 'show status of all files'),
      o('m', 'modified', 'bool', 'show only modified files'),
      o('a', 'added', 'bool', 'show only added files'),
      o('r', 'removed', 'bool', 'show only removed files'),
      o('d', 'deleted', 'bool', 'show only missing files'),
      o('c', 'clean', 'bool', 'show only files without changes'),
      o('u', 'unknown', 'bool', 'show only unknown (not tracked) files'),
      o('i', 'ignored', 'bool', 'show only ignored files'),
      o('n', 'no-status', 'bool', 'hide status prefix'),
      o('t', 'terse', 'string', 'show the terse output (EXPERIMENTAL)', 'STATUS'),
      o('C', 'copies', 'bool', 'show source of copied files'),
      o('0', 'print0', 'bool', 'end filenames with NUL, for use with xargs'),
      o(undefined, 'rev', 'list', 'show difference from revision', 'REV'),
      o(undefined, 'change', 'string', 'list the changed files of a revision', 'REV'),
      include,
      exclude,
      o('S', 'subrepos', 'bool', 'recurse into subrepositories'),
      template,
    ],
    load: () => import('./status.js'),
  },
  {
    name: 'tip',
    aliases: [],
    synopsis: 'tip [-p] [-g]',
    options: [o('p', 'patch', 'bool', 'show patch'), o('g', 'git', 'bool', 'use git extended diff format'), style, template],
    load: () => import('./tip.js'),
  },
  {
    name: 'recover',
    aliases: [],
    synopsis: 'recover [--verify]',
    options: [o(undefined, 'verify', 'bool', 'run `hg verify` after successful recover')],
    writes: true,
    load: () => import('./recover.js'),
  },
  {
    name: 'verify',
    aliases: [],
    synopsis: 'verify',
    options: [o(undefined, 'full', 'bool', 'perform more checks (EXPERIMENTAL)')],
    load: () => import('./verify.js'),
  },
];
