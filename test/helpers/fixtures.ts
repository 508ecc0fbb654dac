// Repositories built with real hg for conformance tests.
//
// Every fixture is one bash script (run with `set -euo pipefail`) that creates a
// repository with fixed dates and users, so its hashes are the same on every run.
// A fixture is built at most once per test file (module-level cache) in a fresh
// temp dir, which removeFixtures() (or process exit) deletes.
//
// Each spec also lists the revisions, files and pairs that are worth looking at;
// read-commands.test.ts turns them into command lines.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeTempDir, removeTempDir, runProcess } from './hg.js';

export interface FixtureCases {
  /** Revision specifiers for `manifest -r`, `log -r`, `files -r`, `identify -r`. */
  revs: string[];
  /** `cat -r REV FILE` targets. */
  cat: [rev: string, file: string][];
  /** `log FILE` targets. */
  logFiles: string[];
  /** `status --rev A --rev B` (also with -C). */
  statusPairs: [string, string][];
  /** `status --change REV`. */
  changes: string[];
  /** `debugindex FILE` and `debugdata FILE REV` (REV is a filelog revision). */
  filelogs: [file: string, filerev: string][];
  /** `debugdata -c REV` and `debugdata -m REV` (revlog revisions). */
  dataRevs: string[];
  /** Any other command lines worth comparing on this fixture. */
  extra?: string[][];
}

export interface FixtureSpec {
  name: string;
  description: string;
  /** Arguments added to `hg init` (e.g. ['--config', 'format.revlog-compression=zlib']). */
  init?: string[];
  /** Bash, run inside the new repository. Helpers: see PRELUDE. */
  script: string;
  /** Paths (relative to the repository root) that must exist after building. */
  mustExist?: string[];
  /** Lines that .hg/requires + .hg/store/requires must (or must not, with a leading `!`) contain. */
  requires?: string[];
  /** Extra checks on the built repository; throw to fail the build. */
  check?: (repoDir: string) => void;
  cases: FixtureCases;
  /** A smaller command set (format variants: the storage differs, the content does not). */
  storageOnly?: boolean;
}

export interface Fixture {
  spec: FixtureSpec;
  name: string;
  /** The repository root. */
  dir: string;
  /** Seconds spent building. */
  buildSeconds: number;
}

// Shell helpers available to every fixture script.
const PRELUDE = String.raw`
set -euo pipefail
# the system Python (the one hg uses), not whatever python3 comes first on PATH
if [ -x /usr/bin/python3 ]; then py() { /usr/bin/python3 "$@"; }; else py() { python3 "$@"; }; fi
c() { local d="$1"; shift; hg commit -q -d "$d" "$@"; }
# randbytes N SEED: N deterministic pseudo-random bytes
randbytes() { py -c 'import random,sys; sys.stdout.buffer.write(random.Random(int(sys.argv[2])).randbytes(int(sys.argv[1])))' "$1" "$2"; }
# hexlines N SEED: N lines of 40 hex digits (compresses to about half)
hexlines() { py -c 'import hashlib,sys; sys.stdout.write("".join(hashlib.sha1(("%s-%d" % (sys.argv[2], i)).encode()).hexdigest() + "\n" for i in range(int(sys.argv[1]))))' "$1" "$2"; }
# editline FILE LINENO TEXT: replace one line (1-based; TEXT without / or \)
editline() { sed -i "$2s/.*/$3/" "$1"; }
`;

// ---------------------------------------------------------------------------
// The fixtures

/** formats.md §13, verbatim. */
const vectors: FixtureSpec = {
  name: 'vectors',
  description: 'formats.md §13 test-vector repository (exec, symlink, copy, branch, merge, \\1\\n file, empty file)',
  script: String.raw`
printf 'hello\n' > a; hg add a; hg commit -d '0 0' -u test -m 'initial'
printf 'hello\nworld\n' > a; printf '#!/bin/sh\n' > x; chmod +x x; ln -s a link
hg add x link; hg commit -d '1000000 -3600' -u 'Test User <test@example.com>' -m 'second'
hg cp a b; hg commit -d '2000000 0' -u test -m 'copy a to b'
hg branch -q stable; hg rm x; hg commit -d '3000000 0' -u test -m 'remove x on stable'
hg update -q default; printf 'default side\n' > c; hg add c
hg commit -d '4000000 0' -u test -m 'add c on default'
hg merge -q stable; hg commit -d '5000000 0' -u test -m 'merge stable'
printf '\001\nnot meta\n' > m; : > empty; hg add m empty
hg commit -d '6000000 0' -u test -m 'meta-looking file and empty file'
`,
  cases: {
    revs: ['0', '1', '3', '5', 'tip', '-2', '.', 'null', 'stable', 'default', '9d', 'cdc7f2216ba81080d2cceed9951bf178ca08419f'],
    cat: [
      ['0', 'a'],
      ['tip', 'a'],
      ['tip', 'b'],
      ['1', 'link'],
      ['1', 'x'],
      ['tip', 'm'],
      ['tip', 'empty'],
      ['stable', 'b'],
    ],
    logFiles: ['a', 'b', 'x', 'm'],
    statusPairs: [
      ['0', 'tip'],
      ['1', '2'],
      ['3', '5'],
      ['tip', '0'],
      ['null', '2'],
    ],
    changes: ['0', '2', '3', '5', '6'],
    filelogs: [
      ['a', '1'],
      ['b', '0'],
      ['m', '0'],
      ['empty', '0'],
      ['link', '0'],
    ],
    dataRevs: ['0', '1', '5', '6'],
    extra: [
      ['log', '-r', '0:2'],
      ['log', '-r', '2:0'],
      ['log', '-r', '3:'],
      ['log', '-r', ':1'],
      ['log', '-r', '-1'],
      ['log', '-r', 'stable:default'],
      ['manifest', '-r', 'cdc7'],
      ['cat', '-r', '6', 'a', 'b', 'm'],
      ['debugdata', '-m', '99'], // resolved as a manifest node prefix (998ee877...)
      ['debugdata', '-c', 'bb648'], // changelog node prefix
      ['debugindex', 'a'],
      ['log', '-v', '-r', '5'],
      ['log', '--debug', '-r', '6'],
      ['identify', '-r', '9d61'],
      ['status', '--change', '2', '-C'],
    ],
  },
};

const copies: FixtureSpec = {
  name: 'copies',
  description: 'copies, copies of copies, renames across directories, a directory rename, copy over a removed file',
  script: String.raw`
mkdir -p src/lib docs
printf 'alpha\n' > src/a.txt
printf 'beta\nbeta\n' > src/lib/b.txt
printf 'doc\n' > docs/readme
hg add -q
c '0 0' -m 'base'
hg cp src/a.txt src/a-copy.txt
c '100 0' -m 'copy a'
hg cp src/a-copy.txt copy-of-copy.txt
c '200 0' -m 'copy of a copy'
hg mv src/lib/b.txt docs/b-moved.txt
c '300 0' -m 'rename across directories'
printf 'beta\nbeta\nmore\n' > docs/b-moved.txt
c '400 0' -m 'modify the renamed file'
hg mv docs/b-moved.txt docs/b2.txt
printf 'beta\nchanged while renamed\n' > docs/b2.txt
c '500 0' -m 'rename and modify'
hg mv -q src moved-src
c '600 0' -m 'rename a directory'
hg cp moved-src/a.txt a1
hg cp moved-src/a.txt a2
printf 'alpha\nbeta\n' > moved-src/a.txt
c '700 0' -m 'two copies, then modify the source'
hg rm -q a2
hg cp docs/readme a2
c '800 0' -m 'replace a2 with a copy of readme'
printf '\001\nlooks like metadata\n' > metaish
hg add metaish
c '900 0' -m 'add a file that starts with \\1\\n'
hg cp metaish metaish-copy
c '1000 0' -m 'copy the meta-looking file'
hg mv copy-of-copy.txt docs/coc.txt
c '1100 0' -m 'move'
hg mv docs/coc.txt copy-of-copy.txt
c '1200 0' -m 'move back'
`,
  cases: {
    revs: ['0', '3', '6', 'tip'],
    cat: [
      ['tip', 'docs/b2.txt'],
      ['3', 'docs/b-moved.txt'],
      ['2', 'copy-of-copy.txt'],
      ['tip', 'a2'],
      ['tip', 'metaish'],
      ['tip', 'metaish-copy'],
      ['6', 'moved-src/a-copy.txt'],
    ],
    logFiles: ['docs/b2.txt', 'docs/b-moved.txt', 'copy-of-copy.txt', 'moved-src/a.txt', 'src/a.txt', 'a2', 'metaish-copy'],
    statusPairs: [
      ['0', 'tip'],
      ['2', '5'],
      ['5', '6'],
      ['7', '8'],
      ['10', '12'],
      ['12', '0'],
    ],
    changes: ['1', '3', '5', '6', '8', '10', '12'],
    filelogs: [
      ['docs/b2.txt', '0'],
      ['metaish', '0'],
      ['metaish-copy', '0'],
      ['a2', '1'],
      ['copy-of-copy.txt', '1'],
    ],
    dataRevs: ['0', '6', '12'],
    extra: [
      ['status', '--change', '6', '-C'],
      ['status', '--change', '8', '-C'],
      ['status', '--change', '12', '-C'],
      ['log', '-v', 'docs/b2.txt'],
      ['log', '--debug', '-r', '5'],
    ],
  },
};

const flags: FixtureSpec = {
  name: 'flags',
  description: 'exec bits and symlinks, and every flip between file, exec file and symlink',
  script: String.raw`
printf '#!/bin/sh\necho hi\n' > script
printf 'data\n' > plain
printf 'target\n' > target
ln -s target link
ln -s does-not-exist dangling
mkdir dir; printf 'in dir\n' > dir/f
ln -s dir dirlink
ln -s ../target dir/uplink
hg add -q
c '0 0' -m 'files and symlinks'
chmod +x script
c '1000 0' -m 'make script executable'
chmod +x plain; printf 'data 2\n' > plain
c '2000 0' -m 'exec bit and content'
chmod -x script
c '3000 0' -m 'drop the exec bit'
rm link; printf 'now a regular file\n' > link
c '4000 0' -m 'symlink becomes a file'
rm plain; ln -s target plain
c '5000 0' -m 'executable file becomes a symlink'
rm dangling; ln -s dir/f dangling
c '6000 0' -m 'retarget a symlink'
rm link; ln -s target link
c '7000 0' -m 'file becomes a symlink again'
rm plain; printf '#!/bin/sh\nexit 0\n' > plain; chmod +x plain
c '8000 0' -m 'symlink becomes an executable file'
`,
  cases: {
    revs: ['0', '1', '4', '5', 'tip'],
    cat: [
      ['0', 'link'],
      ['4', 'link'],
      ['0', 'dangling'],
      ['tip', 'dangling'],
      ['tip', 'dirlink'],
      ['tip', 'dir/uplink'],
      ['5', 'plain'],
      ['tip', 'plain'],
      ['1', 'script'],
    ],
    logFiles: ['script', 'plain', 'link'],
    statusPairs: [
      ['0', '1'],
      ['1', '3'],
      ['3', '4'],
      ['4', '5'],
      ['0', 'tip'],
    ],
    changes: ['1', '3', '4', '5', '6', '8'],
    filelogs: [
      ['link', '1'],
      ['plain', '2'],
      ['script', '0'],
      ['dangling', '1'],
    ],
    dataRevs: ['0', '1', '8'],
    extra: [['manifest', '--debug', '-r', '5'], ['manifest', '-v', '-r', '2']],
  },
};

const binary: FixtureSpec = {
  name: 'binary',
  description: 'binary files with NUL bytes, \\1\\n-prefixed contents, no final newline, CRLF',
  script: String.raw`
py -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 8)' > bytes.bin
randbytes 3000 7 > random.bin
printf '\001\n' > marker-only
printf '\001\nfoo\001\nbar' > meta-no-newline
printf '\001\n\001\n' > double-marker
printf 'no newline at end' > nonl
printf 'crlf\r\nline\r\n' > crlf.txt
printf '\000starts with NUL\n' > nul-start
hg add -q
c '0 0' -m 'binary and odd files'
py -c 'b=bytearray(open("random.bin","rb").read()); b[1000:1100]=bytes(100); open("random.bin","wb").write(b)'
c '1 0' -m 'patch the middle of a binary'
printf '\001\nmarker grew\n' > marker-only
printf '\000' >> nonl
c '2 0' -m 'grow the marker file, append a NUL'
hg cp marker-only marker-copy
hg cp bytes.bin bytes-copy.bin
hg cp double-marker double-copy
c '3 0' -m 'copy files whose content looks like metadata, and a binary'
: > bytes.bin
c '4 0' -m 'truncate a binary file'
randbytes 5000 8 > random.bin
c '5 0' -m 'replace a binary'
`,
  cases: {
    revs: ['0', '3', 'tip'],
    cat: [
      ['0', 'bytes.bin'],
      ['tip', 'bytes.bin'],
      ['1', 'random.bin'],
      ['tip', 'random.bin'],
      ['0', 'marker-only'],
      ['tip', 'marker-copy'],
      ['tip', 'meta-no-newline'],
      ['tip', 'double-marker'],
      ['tip', 'double-copy'],
      ['tip', 'nonl'],
      ['tip', 'crlf.txt'],
      ['tip', 'nul-start'],
      ['tip', 'bytes-copy.bin'],
    ],
    logFiles: ['random.bin', 'marker-only', 'bytes.bin'],
    statusPairs: [
      ['0', 'tip'],
      ['2', '4'],
    ],
    changes: ['1', '3', '4'],
    filelogs: [
      ['random.bin', '1'],
      ['marker-only', '0'],
      ['marker-only', '1'],
      ['marker-copy', '0'],
      ['double-marker', '0'],
      ['double-copy', '0'],
      ['bytes.bin', '1'],
      ['nul-start', '0'],
      ['meta-no-newline', '0'],
    ],
    dataRevs: ['0', '3'],
    extra: [['status', '--change', '3', '-C']],
  },
};

const bigfile: FixtureSpec = {
  name: 'bigfile',
  description: 'filelogs over 128 KiB: split into .i + .d (compressible text and incompressible data)',
  script: String.raw`
hexlines 8000 big > big.txt
randbytes 200000 3 > random.bin
printf 'small\n' > small
hg add -q
c '0 0' -m 'big files'
editline big.txt 4000 'edited in the middle'
c '1 0' -m 'edit the middle of big.txt'
hexlines 500 more >> big.txt
c '2 0' -m 'append to big.txt'
randbytes 200000 4 > random.bin
c '3 0' -m 'new random.bin'
hexlines 8000 other > big.txt
c '4 0' -m 'rewrite big.txt'
editline big.txt 1 'first line edited'
printf 'small 2\n' > small
c '5 0' -m 'edit big.txt and small'
`,
  mustExist: ['.hg/store/data/big.txt.d', '.hg/store/data/random.bin.d'],
  cases: {
    revs: ['0', '2', 'tip'],
    cat: [
      ['0', 'big.txt'],
      ['1', 'big.txt'],
      ['2', 'big.txt'],
      ['tip', 'big.txt'],
      ['0', 'random.bin'],
      ['tip', 'random.bin'],
    ],
    logFiles: ['big.txt', 'random.bin'],
    statusPairs: [['0', 'tip']],
    changes: ['1', '3'],
    filelogs: [
      ['big.txt', '0'],
      ['big.txt', '2'],
      ['big.txt', '4'],
      ['random.bin', '1'],
    ],
    dataRevs: ['0', '5'],
  },
};

/** Names of the files in the `split` fixture (also used by the cases). */
export function splitFixtureFile(i: number): string {
  const h = createHash('sha1').update(`f${i}`).digest('hex');
  return `d${String(i % 20).padStart(2, '0')}/${h.slice(0, 2)}/${h.slice(2)}.txt`;
}

const SPLIT_FILES = 2000;
const split: FixtureSpec = {
  name: 'split',
  description: `changelog and manifest over 128 KiB (split .i + .d): ${SPLIT_FILES} files, every one modified three times`,
  script: String.raw`
gen() {
py - "$1" <<'EOF'
import hashlib, os, sys
step = sys.argv[1]
for i in range(${SPLIT_FILES}):
    h = hashlib.sha1(b"f%d" % i).hexdigest()
    d = "d%02d/%s" % (i % 20, h[:2])
    os.makedirs(d, exist_ok=True)
    with open("%s/%s.txt" % (d, h[2:]), "a") as f:
        f.write("file %d step %s\n" % (i, step))
EOF
}
gen 0
hg add -q
c '0 0' -m 'many files'
gen 1
c '1 0' -m 'modify every file'
gen 2
c '2 0' -m 'modify every file again'
printf 'last\n' >> ${splitFixtureFile(7)}
c '3 0' -m 'modify one file'
`,
  mustExist: ['.hg/store/00changelog.d', '.hg/store/00manifest.d'],
  cases: {
    revs: ['0', '2', 'tip'],
    cat: [
      ['0', splitFixtureFile(0)],
      ['tip', splitFixtureFile(7)],
      ['tip', splitFixtureFile(1999)],
    ],
    logFiles: [splitFixtureFile(7)],
    statusPairs: [
      ['0', '1'],
      ['2', '3'],
    ],
    changes: ['3'],
    filelogs: [[splitFixtureFile(7), '3']],
    dataRevs: ['0', '3'],
  },
};

const branches: FixtureSpec = {
  name: 'branches',
  description: 'named branches, a closed branch, two heads on default, a branch name with a space',
  script: String.raw`
printf 'base\n' > f; hg add -q f
c '0 0' -m 'base'
hg branch -q stable
printf 'stable 1\n' > f
c '100 0' -m 'start stable'
hg branch -q feature
printf 'feature\n' > feat; hg add -q feat
c '200 0' -m 'start feature'
printf 'feature 2\n' > feat
c '300 0' -m 'close feature' --close-branch
hg update -q stable
printf 'stable 2\n' > f
c '400 0' -m 'more stable'
hg update -q default
printf 'default 2\n' > f
c '500 0' -m 'more default'
hg update -q 0
printf 'anonymous head\n' > g; hg add -q g
c '600 0' -m 'second head on default'
hg branch -q 'with space'
printf 'spaced\n' > f
c '700 0' -m 'branch name with a space'
hg update -q 5
hg merge -q --tool :local stable
c '800 0' -m 'merge stable into default'
hg update -q stable
`,
  cases: {
    revs: ['0', '3', 'tip', '.', 'stable', 'feature', 'default', 'with space'],
    cat: [
      ['stable', 'f'],
      ['feature', 'feat'],
      ['tip', 'f'],
      ['with space', 'f'],
    ],
    logFiles: ['f', 'feat', 'g'],
    statusPairs: [
      ['stable', 'default'],
      ['feature', 'tip'],
    ],
    changes: ['3', '8'],
    filelogs: [['f', '3']],
    dataRevs: ['1', '3', '8'],
    extra: [
      ['log', '-r', 'feature', '--debug'],
      ['log', '-r', 'stable', '-v'],
      ['log', '-r', 'stable:tip'],
    ],
  },
};

const merges: FixtureSpec = {
  name: 'merges',
  description: 'merges: clean, with a resolved conflict, a rename merged with an edit, a removal and an addition',
  script: String.raw`
seq 1 10 > common; printf 'one\n' > f1; printf 'two\n' > f2; printf 'gone soon\n' > f3
hg add -q
c '0 0' -m 'base'
sed -i 's/^2$/two/' common; printf 'one changed\n' > f1
c '10 0' -m 'left: edit common line 2 and f1'
hg update -q 0
sed -i 's/^9$/nine/' common; printf 'two changed\n' > f2; hg rm -q f3; printf 'new\n' > f4; hg add -q f4
c '20 0' -m 'right: edit common line 9 and f2, remove f3, add f4'
hg merge -q 1
c '30 0' -m 'clean merge'
sed -i 's/^5$/five-left/' common
c '40 0' -m 'left side of a conflict'
hg update -q 3
sed -i 's/^5$/five-right/' common
c '50 0' -m 'right side of a conflict'
hg merge -q --tool :fail 4 || true
seq 1 10 | sed 's/^5$/five-resolved/; s/^2$/two/; s/^9$/nine/' > common
hg resolve -q -m common
c '60 0' -m 'merge with a resolved conflict'
hg mv f1 f1-renamed
c '70 0' -m 'rename f1'
hg update -q 5
printf 'one changed again\n' > f1
c '80 0' -m 'edit f1 on the other side'
hg merge -q 7
c '90 0' -m 'merge a rename with an edit'
`,
  cases: {
    revs: ['3', '6', 'tip'],
    cat: [
      ['3', 'common'],
      ['6', 'common'],
      ['tip', 'f1-renamed'],
      ['3', 'f4'],
    ],
    logFiles: ['common', 'f1', 'f1-renamed', 'f3'],
    statusPairs: [
      ['1', '2'],
      ['4', '6'],
      ['7', '9'],
      ['0', 'tip'],
    ],
    changes: ['3', '6', '9'],
    filelogs: [
      ['common', '4'],
      ['f1-renamed', '0'],
      ['f1-renamed', '1'],
    ],
    dataRevs: ['3', '6', '9'],
    extra: [
      ['status', '--change', '9', '-C'],
      ['log', '--debug', '-r', '6'],
      ['log', '-v', '-r', '9'],
    ],
  },
};

const unicode: FixtureSpec = {
  name: 'unicode',
  description: 'unicode file names, user names, descriptions and branch name; multi-line messages with trailing spaces',
  script: String.raw`
printf 'café\n' > 'café.txt'
mkdir -p '日本語'; printf 'こんにちは\n' > '日本語/ファイル.txt'
printf 'smile\n' > 'emoji-😀.txt'
mkdir -p 'Ünïcödé Dir'; printf 'naïve\n' > 'Ünïcödé Dir/naïve file.txt'
hg add -q
printf 'Première ligne\n\nCorps: ünïcödé ✓   \nline with trailing spaces   \n  indented line\n\n\n' > ../msg1
c '0 0' -u 'Jöhn Dœ <jd@exämple.org>' -l ../msg1
hg mv -q 'café.txt' 'thé.txt'
c '1000 -7200' -u 'Zoë <zoe@example.com>' -m 'renommer café → thé'
hg branch -q 'brånch-ü'
printf 'ü\n' >> '日本語/ファイル.txt'
c '2000 19800' -u '山田太郎' -m "$(printf 'multi-line  \nsecond line  \nthird\t\n')"
hg update -q default
printf 'x\n' > 'Ωmega'
hg add -q 'Ωmega'
c '3000 0' -m 'add Ωmega'
`,
  cases: {
    revs: ['0', '1', '2', 'tip', 'brånch-ü'],
    cat: [
      ['0', 'café.txt'],
      ['tip', 'thé.txt'],
      ['2', '日本語/ファイル.txt'],
      ['tip', 'emoji-😀.txt'],
      ['tip', 'Ünïcödé Dir/naïve file.txt'],
    ],
    logFiles: ['thé.txt', 'café.txt', '日本語/ファイル.txt'],
    statusPairs: [
      ['0', 'tip'],
      ['0', '1'],
    ],
    changes: ['1', '2'],
    filelogs: [
      ['thé.txt', '0'],
      ['日本語/ファイル.txt', '1'],
    ],
    dataRevs: ['0', '1', '2'],
    extra: [['status', '--change', '1', '-C']],
  },
};

const LONG_DIR =
  'VeryLongDirectoryName00/VeryLongDirectoryName01/VeryLongDirectoryName02/VeryLongDirectoryName03/VeryLongDirectoryName04/VeryLongDirectoryName05';
const LONG_PATH = `${LONG_DIR}/SomeVeryLongFileName_WithCaps.txt`;
const LONG_NAME = `deep/a/b/c/d/e/f/g/h/${'n'.repeat(150)}.txt`;
const LONG_UPPER = `UPPER/${'ABCDEFGHIJ'.repeat(14)}.TXT`;
const ODD_NAMES = [
  'UPPER.TXT',
  'Mixed Case/File Name.txt',
  'with space.txt',
  ' leading space',
  'trailing space ',
  'tilde~file',
  'under_score',
  '__double__',
  'aux',
  'con.txt',
  'AUX/Con.txt',
  'prn.c',
  'com1',
  'lpt9.log',
  'nul.tar.gz',
  'foo./bar',
  'dir.i/f',
  'dir.d/g.d',
  'x.hg/h',
  'sub.i/inner.d/file.i',
  'data.i',
  'x.d',
  '.hidden',
  '.dotdir/f',
  'colon:name',
  'star*',
  'question?',
  'quote"',
  'lt<gt>',
  'pipe|',
  'back\\slash',
  'tab\tname',
  'hash#percent%',
  "apostrophe'",
  'high\x7fdel',
];

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const paths: FixtureSpec = {
  name: 'paths',
  description: 'long paths (hashed store names), uppercase, spaces, ~ and _, Windows-reserved names, .i/.d/.hg dirs, dot files, special characters',
  script:
    [LONG_PATH, LONG_NAME, LONG_UPPER, ...ODD_NAMES]
      .map((p, i) => `mkdir -p -- "$(dirname -- ${shq(p)})"; printf 'file %d\\n' ${i} > ${shq(p)}`)
      .join('\n') +
    String.raw`
hg add -q 2>/dev/null
c '0 0' -m 'odd paths'
printf 'changed\n' >> 'AUX/Con.txt'
printf 'changed\n' >> ${shq('tab\tname')}
printf 'changed\n' >> ${shq(LONG_NAME)}
hg mv -q ${shq(LONG_PATH)} ${shq(LONG_DIR + '/RenamedVeryLongFileName_WithMoreCaps.txt')}
hg mv -q 'dir.i/f' 'dir.d/f.i'
c '1 0' -m 'modify and rename odd paths'
`,
  mustExist: [
    '.hg/store/data/_a_u_x/_con.txt.i',
    '.hg/store/data/au~78.i',
    '.hg/store/data/dir.i.hg/f.i',
    '.hg/store/dh/verylong/verylong/verylong/verylong/verylong/verylong/someverylongfilename_f7e2a27f0c7d9b82b318c8b172428f667f66686e.i',
  ],
  cases: {
    revs: ['0', 'tip'],
    cat: [
      ['0', LONG_PATH],
      ['tip', LONG_NAME],
      ['tip', LONG_UPPER],
      ['tip', 'AUX/Con.txt'],
      ['tip', 'tab\tname'],
      ['tip', 'foo./bar'],
      ['tip', 'sub.i/inner.d/file.i'],
      ['tip', ' leading space'],
      ['tip', 'trailing space '],
      ['tip', 'back\\slash'],
      ['tip', 'dir.d/f.i'],
      ['tip', '.hidden'],
    ],
    logFiles: [LONG_PATH, LONG_NAME, 'dir.d/f.i'],
    statusPairs: [['0', '1']],
    changes: ['1'],
    filelogs: [
      [LONG_PATH, '0'],
      [LONG_NAME, '1'],
      ['AUX/Con.txt', '1'],
      ['aux', '0'],
      ['x.hg/h', '0'],
      ['dir.d/f.i', '0'],
    ],
    dataRevs: ['0', '1'],
    extra: [['status', '--change', '1', '-C']],
  },
};

const misc: FixtureSpec = {
  name: 'misc',
  description: 'empty files, files emptied, removed and re-added, removal-only and empty commits, amend, time zones, phases',
  script: String.raw`
: > empty1
printf 'to be emptied\n' > emptied
printf 'same\n' > readd-same
printf 'v1\n' > readd-diff
printf 'bye\n' > removed-only
hg add -q
printf 'Subject line   \n\nBody line with trailing spaces   \n\tTabbed line\t\n\n' > ../msg
c '1234567890 -19800' -u 'alice@example.com' -l ../msg
: > emptied
c '1234567900 28800' -u 'Bob <bob@example.com>' -m 'empty a file'
hg rm -q readd-same readd-diff
c '1234568000 0' -m 'remove files'
printf 'same\n' > readd-same; printf 'v2\n' > readd-diff; hg add -q readd-same readd-diff
c '1234569000 0' -m 're-add files'
hg rm -q removed-only
c '1234570000 0' -m 'only a removal'
printf 'amend me\n' > amended; hg add -q amended
c '1234571000 0' -m 'before amend'
printf 'amended\n' > amended
hg commit -q --amend -d '1234572000 0' -m 'after amend'
c '2000000000 0' --config ui.allowemptycommit=1 -m 'empty commit in 2033'
printf 'late\n' > late; hg add -q late
c '2147483647 -50400' -m 'largest 32-bit date, +1400'
printf 'west\n' >> late
c '1000000000 43200' -u 'Dave' -m 'time zone -1200'
hg phase -q --public -r 2
hg phase -q --secret --force -r tip
`,
  cases: {
    revs: ['0', '2', '3', '5', '6', 'tip'],
    cat: [
      ['0', 'empty1'],
      ['0', 'emptied'],
      ['1', 'emptied'],
      ['3', 'readd-same'],
      ['3', 'readd-diff'],
      ['5', 'amended'],
    ],
    logFiles: ['readd-same', 'readd-diff', 'emptied', 'removed-only', 'amended'],
    statusPairs: [
      ['0', '3'],
      ['1', '2'],
      ['5', '6'],
      ['0', 'tip'],
    ],
    changes: ['1', '2', '3', '4', '6'],
    filelogs: [
      ['readd-same', '0'],
      ['readd-diff', '1'],
      ['emptied', '1'],
      ['empty1', '0'],
    ],
    dataRevs: ['0', '5', '6'],
    extra: [
      ['log', '--debug', '-r', '5'],
      ['log', '-v', '-r', '0'],
    ],
  },
};

const tags: FixtureSpec = {
  name: 'tags',
  description: 'global and local tags, a removed tag, bookmarks (one active), public and draft phases',
  script: String.raw`
printf 'a\n' > a; hg add -q a; c '0 0' -m 'first'
printf 'b\n' > b; hg add -q b; c '1 0' -m 'second'
hg tag -d '2 0' -r 0 v0.1
hg tag -d '3 0' 'release 1.0'
hg tag -l -r 1 local-tag
hg bookmark -r 0 book-zero
hg bookmark -r 1 'book one'
printf 'c\n' > c; hg add -q c; c '4 0' -m 'third'
hg tag -d '5 0' --remove v0.1
hg bookmark active-book
printf 'd\n' >> c; c '6 0' -m 'fourth moves the active bookmark'
hg phase -q --public -r 1
`,
  cases: {
    revs: ['0', '1', '2', 'tip', 'release 1.0', 'local-tag', 'book-zero', 'book one', 'active-book'],
    cat: [
      ['tip', '.hgtags'],
      ['3', '.hgtags'],
    ],
    logFiles: ['.hgtags', 'a'],
    statusPairs: [['0', 'tip']],
    changes: ['2', '5'],
    filelogs: [['.hgtags', '2']],
    dataRevs: ['2', '6'],
  },
};

// Format variants: the same content under different store formats.
const FMT_LONG = 'LongDirectoryNameNumber0/LongDirectoryNameNumber1/LongDirectoryNameNumber2/LongDirectoryNameNumber3/LongFileName.TXT';
const FMT_SCRIPT = String.raw`
mkdir -p Src/Sub 'with space' aux.d "$(dirname '${FMT_LONG}')"
printf 'alpha\n' > Src/Alpha.TXT
printf '#!/bin/sh\n' > Src/run.sh; chmod +x Src/run.sh
ln -s Src/Alpha.TXT link
printf 'x\n' > 'with space/.hidden'
printf 'y\n' > aux.d/con.i
printf 'long\n' > '${FMT_LONG}'
hexlines 8000 big > big.txt
py -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 4)' > bin.dat
printf '\001\nmeta\n' > meta
c '0 0' -A -m 'initial' 2>/dev/null
for i in 1 2 3; do
  editline big.txt $((i * 1000)) "edit $i"
  printf 'line %d\n' $i >> Src/Alpha.TXT
  c "$i 0" -m "edit $i"
done
hg cp Src/Alpha.TXT Src/Sub/alpha-copy
hg mv meta meta-moved
c '4 0' -m 'copy and rename'
hg update -q 1
editline big.txt 7000 'side edit'
printf 'side\n' > side
c '5 0' -A -m 'side branch'
hg merge -q --tool :local 4
c '6 0' -m 'merge'
`;

const FMT_CASES: FixtureCases = {
  revs: ['0', '4', 'tip'],
  cat: [
    ['0', 'big.txt'],
    ['3', 'big.txt'],
    ['tip', 'big.txt'],
    ['tip', 'bin.dat'],
    ['tip', 'link'],
    ['tip', 'Src/Sub/alpha-copy'],
    ['tip', 'meta-moved'],
    ['tip', FMT_LONG],
    ['tip', 'with space/.hidden'],
    ['tip', 'aux.d/con.i'],
  ],
  logFiles: ['big.txt', 'Src/Sub/alpha-copy'],
  statusPairs: [
    ['0', 'tip'],
    ['1', '5'],
  ],
  changes: ['4', '6'],
  filelogs: [
    ['big.txt', '0'],
    ['big.txt', '4'],
    ['Src/Alpha.TXT', '3'],
    ['meta-moved', '0'],
    [FMT_LONG, '0'],
  ],
  dataRevs: ['0', '6'],
};

/** Throws unless the generaldelta flag of the revlog at `file` is as wanted. */
function checkGeneralDelta(file: string, wanted: boolean): void {
  const header = fs.readFileSync(file).readUInt16BE(0); // flags; bit 1 = generaldelta
  if (((header & 2) !== 0) !== wanted) throw new Error(`${file}: generaldelta flag is not ${wanted}`);
}

function formatVariant(name: string, description: string, config: string[], requires: string[], store = true): FixtureSpec {
  const data = store ? '.hg/store/data' : '.hg/data';
  const gd = !requires.includes('!generaldelta');
  return {
    check: (dir) => {
      checkGeneralDelta(path.join(dir, data, '..', '00manifest.i'), gd);
      checkGeneralDelta(path.join(dir, data, 'big.txt.i'), gd);
    },
    name,
    description,
    init: config.flatMap((c) => ['--config', c]),
    script: FMT_SCRIPT,
    mustExist: [`${data}/big.txt.d`],
    requires,
    cases: FMT_CASES,
    storageOnly: true,
  };
}

const formats: FixtureSpec[] = [
  formatVariant('fmt-default', 'hg init defaults (zstd, generaldelta, sparse-revlog, dotencode, fncache, share-safe)', [], [
    'revlog-compression-zstd',
    'generaldelta',
    'sparserevlog',
    'share-safe',
  ]),
  formatVariant('fmt-zlib', 'format.revlog-compression=zlib', ['format.revlog-compression=zlib'], [
    '!revlog-compression-zstd',
    'generaldelta',
  ]),
  // format.generaldelta=false changes nothing (it defaults to false): hg's switch at init is
  // format.usegeneraldelta (scmutil.gdinitconfig), and without it there is no sparse-revlog either.
  formatVariant(
    'fmt-nogeneraldelta',
    'format.usegeneraldelta=false (no generaldelta, no sparse-revlog: deltas against the previous revision)',
    ['format.usegeneraldelta=false'],
    ['!generaldelta', '!sparserevlog'],
  ),
  formatVariant('fmt-nocompress', 'format.revlog-compression=none (chunks stored as they are)', ['format.revlog-compression=none'], [
    'exp-compression-none',
    '!revlog-compression-zstd',
  ]),
  formatVariant('fmt-nosparse', 'format.sparse-revlog=false', ['format.sparse-revlog=false'], ['!sparserevlog', 'generaldelta']),
  formatVariant('fmt-nodotencode', 'format.dotencode=false', ['format.dotencode=false'], ['!dotencode', 'fncache']),
  formatVariant('fmt-nofncache', 'format.usefncache=false (plain store encoding, no hashed names)', ['format.usefncache=false'], [
    '!fncache',
    '!dotencode',
    'store',
  ]),
  formatVariant('fmt-nostore', 'format.usestore=false (revlogs under .hg/data, unencoded)', ['format.usestore=false'], ['!store', '!share-safe'], false),
  formatVariant('fmt-noshare', 'format.use-share-safe=false (all requirements in .hg/requires)', ['format.use-share-safe=false'], [
    '!share-safe',
    'store',
  ]),
  formatVariant(
    'fmt-legacy',
    'zlib, no generaldelta, no sparse-revlog, no dotencode (an old-style repository)',
    ['format.revlog-compression=zlib', 'format.usegeneraldelta=false', 'format.dotencode=false'],
    ['!revlog-compression-zstd', '!generaldelta', '!dotencode', 'fncache'],
  ),
];

// ---------------------------------------------------------------------------
// Tree manifests (`treemanifest` requirement): the content fixtures again, in
// repositories made with `hg init --config experimental.treemanifest=1` (every
// later hg command writes tree manifests by itself: the requirement says so),
// plus `tree-deep`, whose shape is about directories. The read path gets the
// same command set; the tree variants add `debugindex --dir`/`debugdata --dir`
// on the directory revlogs, `log DIR`, `files -r REV DIR`, status limited to a
// directory and `diff` between revisions.

const TREE_INIT = ['--config', 'experimental.treemanifest=1'];

/**
 * Directories (per content fixture) whose revlogs (meta/<dir>/00manifest.i) are
 * compared, each with a revision that has files in it (for `files -r REV DIR`).
 */
const TREE_DIRS: Record<string, [dir: string, rev: string][]> = {
  vectors: [],
  copies: [
    ['src', '0'],
    ['src/lib', '0'],
    ['docs', 'tip'],
    ['moved-src', 'tip'],
  ],
  flags: [['dir', 'tip']],
  binary: [],
  bigfile: [],
  split: [
    ['d07', 'tip'],
    [splitFixtureFile(7).split('/').slice(0, 2).join('/'), 'tip'],
    ['d19', '0'],
  ],
  branches: [],
  merges: [],
  unicode: [
    ['日本語', 'tip'],
    ['Ünïcödé Dir', 'tip'],
  ],
  paths: [
    [LONG_DIR, 'tip'],
    [LONG_DIR.split('/')[0]!, '0'],
    ['deep/a/b/c/d/e/f/g/h', 'tip'],
    ['UPPER', 'tip'],
    ['AUX', 'tip'],
    ['dir.i', '0'],
    ['dir.d', 'tip'],
    ['x.hg', 'tip'],
    ['sub.i/inner.d', 'tip'],
    ['.dotdir', 'tip'],
    ['foo.', 'tip'],
    ['Mixed Case', 'tip'],
  ],
  misc: [],
  tags: [],
};

/**
 * Arguments that name a changeset or manifest by its hash (prefix): the hashes
 * differ in a tree repository (the manifest nodes do), so those cases are left out.
 */
const HASH_ARGS = new Set(['9d', 'cdc7f2216ba81080d2cceed9951bf178ca08419f', '99', 'bb648', 'cdc7', '9d61']);
const noHash = (args: readonly string[]): boolean => !args.some((a) => HASH_ARGS.has(a));

function treeVariant(spec: FixtureSpec): FixtureSpec {
  const c = spec.cases;
  const dirs = TREE_DIRS[spec.name];
  if (!dirs) throw new Error(`TREE_DIRS has no entry for ${spec.name}`);
  const revs = c.revs.filter((r) => !HASH_ARGS.has(r));
  const first = revs[0]!;
  const extra: string[][] = [
    ...(c.extra ?? []).filter(noHash),
    ['diff', '--git', '-r', first, '-r', 'tip'],
    ['diff', '-r', 'tip', '-r', first],
    ['verify', '-v'],
    ...dirs.flatMap(([d, rev]) => [
      ['debugindex', '--dir', d],
      ['debugdata', '--dir', d, '0'],
      ['log', '-q', d],
      ['files', '-r', rev, d],
      ['status', '--rev', first, '--rev', 'tip', '-C', d],
    ]),
  ];
  return {
    ...spec,
    name: `tree-${spec.name}`,
    description: `${spec.description} [tree manifests]`,
    init: [...(spec.init ?? []), ...TREE_INIT],
    // a tree repository's root manifest is small: it is never split into .i + .d
    mustExist: spec.mustExist?.filter((p) => !p.includes('00manifest')),
    requires: [...(spec.requires ?? []), 'treemanifest'],
    cases: { ...c, revs, extra },
  };
}

// Sorting around '/': in a flat manifest 'a/...' sorts after 'a.b' ('/' is 0x2f);
// in a tree manifest the directory 'a' sorts as 'a', before 'a b', 'a!', 'a-b',
// 'a.b', 'a0'. The same at depth 2 (a/b/c against c-d, c.d, c0, 'c d').
const DEEP = 'deep/l1/l2/l3/l4/l5/l6/l7/l8/l9';
const treeDeep: FixtureSpec = {
  name: 'tree-deep',
  description:
    'tree manifests: 11-level and 300-entry directories, names sorting around "/", dir <-> file swaps, a directory emptied and re-created, deep flags, cross-directory copies, merges',
  init: TREE_INIT,
  requires: ['treemanifest'],
  mustExist: [`.hg/store/meta/${DEEP}/l10/00manifest.i`, '.hg/store/meta/wide-dirs/d119/00manifest.i'],
  script: String.raw`
D=${DEEP}
mkdir -p $D/l10 a/b/c 'a/b/c-d' a/b/c.d swap/dir/sub emptyme/inner m/shared left right
printf 'leaf\n' > $D/l10/leaf
printf 'mid\n' > deep/l1/l2/l3/l4/mid
printf '#!/bin/sh\necho deep\n' > $D/run.sh; chmod +x $D/run.sh
ln -s l10/leaf $D/link
for n in 'a b' 'a!' 'a-b' 'a.b' a0 'a~' a_ b; do printf '%s\n' "$n" > "$n"; done
printf 'x\n' > a/b/c/x; printf 'y\n' > a/b/c/y; printf 'top\n' > a/top
printf 'cd\n' > a/b/c-d/f; printf 'c.d\n' > a/b/c.d/f; printf 'c0\n' > a/b/c0; printf 'c sp\n' > 'a/b/c d'
py -c '
import os
os.makedirs("wide", exist_ok=True)
for i in range(300):
    open("wide/f%03d" % i, "w").write("wide %d\n" % i)
for i in range(120):
    os.makedirs("wide-dirs/d%03d" % i, exist_ok=True)
    open("wide-dirs/d%03d/f" % i, "w").write("dir %d\n" % i)
'
printf 'sd\n' > swap/dir/x; printf 'sds\n' > swap/dir/sub/y; printf 'sf\n' > swap/file
printf 'e1\n' > emptyme/e1; printf 'e2\n' > emptyme/inner/e2
printf 'p\n' > m/shared/p; printf 'q\n' > m/shared/q; seq 1 10 > m/shared/both
printf 'l\n' > left/l; printf 'r\n' > right/r
hg add -q
c '0 0' -m 'deep, wide, names around /'
printf 'leaf 2\n' > $D/l10/leaf
c '1 0' -m 'modify one deep file'
hg rm -q swap/dir; printf 'now a file\n' > swap/dir
hg rm -q swap/file; mkdir swap/file; printf 'now a dir\n' > swap/file/inner
hg add -q swap/dir swap/file/inner
c '2 0' -m 'a directory becomes a file, a file becomes a directory'
hg rm -q emptyme
c '3 0' -m 'empty a directory'
mkdir -p emptyme/inner; printf 'e1\n' > emptyme/e1; printf 'e2 again\n' > emptyme/inner/e2
hg add -q emptyme
c '4 0' -m 're-create the directory'
chmod +x $D/l10/leaf; rm $D/link; ln -s ../../../../mid $D/link; chmod -x $D/run.sh
ln -s ../../../wide/f000 a/b/c/wlink; hg add -q a/b/c/wlink
c '5 0' -m 'flags deep down'
hg mv -q $D/l10/leaf a/b/c-d/leaf-moved
hg cp -q wide/f007 $D/copied-from-wide
hg mv -q a/b/c.d a.b.dir
c '6 0' -m 'copies and renames across directories'
printf 'p left\n' > m/shared/p; printf 'left only\n' > left/l; sed -i 's/^2$/two/' m/shared/both
printf 'new left\n' > m/new-left; hg add -q m/new-left
c '7 0' -m 'left side'
hg update -q 6
printf 'q right\n' > m/shared/q; printf 'right only\n' > right/r; sed -i 's/^9$/nine/' m/shared/both
printf 'w right\n' > wide/f150; hg rm -q swap/file
c '8 0' -m 'right side'
hg merge -q 7
c '9 0' -m 'merge: changes in the same and in different directories'
printf 'root only\n' > 'a b'
c '10 0' -m 'touch only the root'
hg branch -q other
mkdir -p $D/l10; printf 'other branch\n' > $D/l10/new; hg add -q $D/l10/new
c '11 0' -m 'a deep add on a branch (re-creates l10)'
hg update -q 10
printf 'wide 42 changed\n' > wide-dirs/d042/f
c '12 0' -m 'one file in one of many directories'
hg merge -q other
c '13 0' -m 'merge the branch'
`,
  cases: {
    revs: ['0', '2', '3', '4', '6', '9', '10', 'tip', 'other', 'null'],
    cat: [
      ['0', `${DEEP}/l10/leaf`],
      ['1', `${DEEP}/l10/leaf`],
      ['tip', 'a/b/c-d/leaf-moved'],
      ['0', 'swap/dir/x'],
      ['2', 'swap/dir'],
      ['2', 'swap/file/inner'],
      ['5', `${DEEP}/link`],
      ['tip', 'a/b/c/wlink'],
      ['tip', 'a.b.dir/f'],
      ['0', 'wide/f299'],
      ['tip', 'm/shared/both'],
      ['tip', 'a b'],
      ['tip', `${DEEP}/l10/new`],
    ],
    logFiles: [`${DEEP}/l10/leaf`, 'a/b/c-d/leaf-moved', 'swap/dir', 'swap/file', 'emptyme/inner/e2', 'm/shared/both', 'wide/f150', 'a b'],
    statusPairs: [
      ['0', 'tip'],
      ['1', '2'],
      ['2', '3'],
      ['3', '4'],
      ['2', '4'],
      ['5', '6'],
      ['7', '8'],
      ['8', '9'],
      ['tip', '0'],
      ['null', '2'],
      ['11', '12'],
    ],
    changes: ['1', '2', '3', '4', '5', '6', '9', '10', '11', '12', '13'],
    filelogs: [
      [`${DEEP}/l10/leaf`, '1'],
      ['a/b/c-d/leaf-moved', '0'],
      [`${DEEP}/copied-from-wide`, '0'],
      ['swap/dir', '0'],
      ['m/shared/both', '2'],
      ['emptyme/inner/e2', '1'],
    ],
    dataRevs: ['0', '2', '6', '9', '10', '13'],
    extra: [
      ...[
        'a',
        'a/b',
        'a/b/c',
        'a/b/c-d',
        'a/b/c.d',
        'a.b.dir',
        'deep',
        DEEP,
        `${DEEP}/l10`,
        'swap',
        'swap/dir',
        'swap/file',
        'emptyme',
        'emptyme/inner',
        'm',
        'm/shared',
        'wide',
        'wide-dirs',
        'wide-dirs/d042',
      ].map((d) => ['debugindex', '--dir', d]),
      ['debugindex', '--dir', 'a/'],
      ['debugdata', '--dir', 'a/b', '0'],
      ['debugdata', '--dir', 'a/b', '2'],
      ['debugdata', '--dir', `${DEEP}/l10`, '1'],
      ['debugdata', '--dir', 'wide', '1'],
      ['debugdata', '--dir', 'wide-dirs', '0'],
      ['debugdata', '--dir', 'swap', '1'],
      ['debugdata', '--dir', 'm/shared', '3'],
      ...['a', 'a/b', 'swap', 'swap/file', 'emptyme', DEEP, 'm', 'wide-dirs/d042', 'glob:a/b/c*'].map((d) => ['log', '-q', d]),
      ['log', '-v', '-r', '2:6'],
      ['log', '--debug', '-r', '9'],
      ['log', '--debug', '-r', '13'],
      ['log', '-f', '-q', 'a/b/c-d/leaf-moved'],
      ['log', '--removed', '-q', 'swap/file'],
      ['log', '--removed', '-q', 'emptyme'],
      ['log', '-q', 'glob:**/leaf*'],
      ['log', '-q', '-r', '5:', 'rootfilesin:a'],
      ['verify', '-v'],
      ['files', '-r', '0', 'a'],
      ['files', '-r', '2', 'swap'],
      ['files', '-r', '4', 'emptyme'],
      ['files', '-r', 'tip', 'glob:wide-dirs/d04*/*'],
      ['files', '-r', 'tip', DEEP],
      ['manifest', '--debug', '-r', '5'],
      ['manifest', '-v', '-r', '6'],
      ['status', '--rev', '0', '--rev', 'tip', 'a'],
      ['status', '--rev', '0', '--rev', 'tip', '-C', 'a/b'],
      ['status', '--rev', '1', '--rev', '2', 'swap'],
      ['status', '--rev', '0', '--rev', '13', '-A'],
      ['status', '--rev', '10', '--rev', '12', '-A'],
      ['status', '--change', '6', '-C'],
      ['status', '--change', '9', '-C', '-A'],
      ['status', '--change', '13', '-A'],
      ['cat', '-r', '0', 'a b', 'a!', 'a-b', 'a.b', 'a0', 'a~', 'a_', 'a/top', 'a/b/c d', 'a/b/c0'],
      ['diff', '--git', '-r', '0', '-r', 'tip'],
      ['diff', '--git', '-r', '1', '-r', '2'],
      ['diff', '--git', '-r', '4', '-r', '6'],
      ['diff', '-r', '3', '-r', '4'],
      ['diff', '--stat', '-r', '0', '-r', '13'],
      ['diff', '--git', '-r', '12', '-r', '13', 'deep'],
    ],
  },
};

export const CONTENT_FIXTURES: readonly FixtureSpec[] = [
  vectors,
  copies,
  flags,
  binary,
  bigfile,
  split,
  branches,
  merges,
  unicode,
  paths,
  misc,
  tags,
];
export const FORMAT_FIXTURES: readonly FixtureSpec[] = formats;
/** Every content fixture again with tree manifests (`tree-<name>`), and `tree-deep`. */
export const TREE_FIXTURES: readonly FixtureSpec[] = [...CONTENT_FIXTURES.map(treeVariant), treeDeep];
export const ALL_FIXTURES: readonly FixtureSpec[] = [...CONTENT_FIXTURES, ...FORMAT_FIXTURES, ...TREE_FIXTURES];

export function fixtureSpec(name: string): FixtureSpec {
  const s = ALL_FIXTURES.find((f) => f.name === name);
  if (!s) throw new Error(`unknown fixture ${name}`);
  return s;
}

// ---------------------------------------------------------------------------
// Building

const cache = new Map<string, Promise<Fixture>>();
let running = 0;
const waiting: (() => void)[] = [];
const MAX_PARALLEL_BUILDS = Math.max(1, Math.min(2, os.availableParallelism()));

async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL_BUILDS) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** The full bash script that builds `spec` in ./repo. */
export function fixtureScript(spec: FixtureSpec): string {
  const init = ['hg', 'init', ...(spec.init ?? []), 'repo'].map(shq).join(' ');
  return `${PRELUDE}\n${init}\ncd repo\n${spec.script}\n`;
}

async function build(spec: FixtureSpec): Promise<Fixture> {
  return withSlot(async () => {
    const started = performance.now();
    const top = makeTempDir(`hgkit-fx-${spec.name}-`);
    const r = await runProcess('bash', ['-c', fixtureScript(spec)], { cwd: top, timeoutMs: 300_000 });
    if (r.code !== 0) {
      throw new Error(`building fixture ${spec.name} failed (exit ${r.code}):\n${r.stderr.toString()}${r.stdout.toString()}`);
    }
    const dir = path.join(top, 'repo');
    checkFixture(spec, dir);
    spec.check?.(dir);
    return { spec, name: spec.name, dir, buildSeconds: (performance.now() - started) / 1000 };
  });
}

function checkFixture(spec: FixtureSpec, dir: string): void {
  for (const p of spec.mustExist ?? []) {
    if (!fs.existsSync(path.join(dir, p))) throw new Error(`fixture ${spec.name}: expected ${p} to exist`);
  }
  if (spec.requires) {
    const read = (p: string): string[] =>
      fs.existsSync(path.join(dir, p)) ? fs.readFileSync(path.join(dir, p), 'latin1').split('\n').filter(Boolean) : [];
    const reqs = new Set([...read('.hg/requires'), ...read('.hg/store/requires')]);
    for (const r of spec.requires) {
      const neg = r.startsWith('!');
      const name = neg ? r.slice(1) : r;
      if (reqs.has(name) === neg) {
        throw new Error(`fixture ${spec.name}: requirement ${name} ${neg ? 'present' : 'missing'} (${[...reqs].join(' ')})`);
      }
    }
  }
}

/** Builds a fresh, uncached copy of a fixture (the caller removes it with removeTempDir(path.dirname(dir))). */
export function buildFixtureUncached(name: string): Promise<Fixture> {
  return build(fixtureSpec(name));
}

/** The fixture, built on first request (shared by the whole test file). */
export function getFixture(name: string): Promise<Fixture> {
  let p = cache.get(name);
  if (!p) {
    p = build(fixtureSpec(name));
    p.catch(() => undefined);
    cache.set(name, p);
  }
  return p;
}

/** Deletes every fixture built by this module. */
export async function removeFixtures(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  for (const p of all) {
    try {
      removeTempDir(path.dirname((await p).dir));
    } catch {
      /* failed builds leave nothing to remove beyond what removeTempDirs() handles */
    }
  }
}

// ---------------------------------------------------------------------------
// Damaging copies of a fixture (error cases)

/** A private copy of a built repository (symlinks and modes preserved). */
export function copyRepo(fx: Fixture, label: string): string {
  const top = makeTempDir(`hgkit-copy-${fx.name}-${label}-`);
  const dst = path.join(top, 'repo');
  fs.cpSync(fx.dir, dst, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  return dst;
}

export function appendLine(file: string, line: string): void {
  fs.appendFileSync(file, line + '\n');
}

/** Shortens a file by `bytes` bytes, or to `{ to }` bytes. */
export function truncateFile(file: string, size: { by: number } | { to: number }): void {
  const len = fs.statSync(file).size;
  fs.truncateSync(file, 'to' in size ? size.to : len - size.by);
}

interface ChunkLocation {
  file: string;
  offset: number;
  length: number;
}

/**
 * Where revision `rev`'s stored chunk lies. Reads only the 64-byte index entries
 * (offset: 6 bytes, compressed length at +8); independent of hgkit's own reader.
 */
export function revlogChunk(indexFile: string, rev: number): ChunkLocation {
  const index = fs.readFileSync(indexFile);
  const inline = (index.readUInt16BE(0) & 1) === 1;
  if (inline) {
    let pos = 0;
    for (let r = 0; pos < index.length; r++) {
      const clen = index.readInt32BE(pos + 8);
      if (r === rev) return { file: indexFile, offset: pos + 64, length: clen };
      pos += 64 + clen;
    }
    throw new Error(`${indexFile}: no revision ${rev}`);
  }
  const e = rev * 64;
  if (e + 64 > index.length) throw new Error(`${indexFile}: no revision ${rev}`);
  const offset = rev === 0 ? 0 : index.readUInt16BE(e) * 2 ** 32 + index.readUInt32BE(e + 2);
  return { file: indexFile.replace(/\.i$/, '.d'), offset, length: index.readInt32BE(e + 8) };
}

/**
 * Flips one bit of revision `rev`'s stored text, `at` bytes into the text, so
 * that its sha1 no longer matches. The chunk must be stored uncompressed (`u`
 * prefix or starting with NUL), else the flip would break decompression instead.
 */
export function corruptRevlogText(indexFile: string, rev: number, at = 1): void {
  const { file, offset, length } = revlogChunk(indexFile, rev);
  const data = fs.readFileSync(file);
  const kind = data[offset];
  const start = kind === 0x75 /* u */ ? offset + 1 : kind === 0 ? offset : -1;
  if (start < 0) throw new Error(`${indexFile} rev ${rev}: chunk is compressed (0x${kind?.toString(16)})`);
  if (at >= length - (start - offset)) throw new Error(`${indexFile} rev ${rev}: text shorter than ${at + 1}`);
  data[start + at] ^= 0x01;
  fs.writeFileSync(file, data);
}
