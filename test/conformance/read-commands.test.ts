// hgkit vs real hg, byte for byte, on the read-path commands (issue 2).
//
// One test per (fixture, command line). Fixtures are built with real hg in temp
// dirs (test/helpers/fixtures.ts); each is built once, on first use, while the
// previous fixture's tests run.
//
//   npx vitest run test/conformance/read-commands.test.ts
//   npx vitest run test/conformance/read-commands.test.ts -t 'copies'      # one fixture
//   HGKIT_TEST_FIXTURES=vectors,flags npx vitest run test/conformance/read-commands.test.ts
//   HGKIT_TEST_HG_ONLY=1 ...     # check only the hg side (the harness itself)
//   HGKIT_TEST_HG_MODE=process   # one hg process per command instead of a command server

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { readCommandCases } from '../helpers/cases.js';
import {
  ALL_FIXTURES,
  appendLine,
  copyRepo,
  corruptRevlogText,
  getFixture,
  removeFixtures,
  truncateFile,
  type Fixture,
} from '../helpers/fixtures.js';
import {
  compareWithHg,
  expectSameAsHg,
  makeTempDir,
  removeTempDirs,
  stopHgServer,
  stopHgServers,
  type ExpectOptions,
} from '../helpers/hg.js';

const only = process.env['HGKIT_TEST_FIXTURES']?.split(',').filter(Boolean);
const specs = ALL_FIXTURES.filter((s) => !only || only.includes(s.name));

afterAll(async () => {
  stopHgServers();
  await removeFixtures();
  removeTempDirs();
});

specs.forEach((spec, i) => {
  describe.concurrent(`${spec.name}: ${spec.description}`, () => {
    let fx: Fixture;
    beforeAll(async () => {
      const next = specs[i + 1];
      fx = await getFixture(spec.name);
      if (next) void getFixture(next.name).catch(() => undefined); // build the next one meanwhile
    });
    afterAll(() => {
      if (fx) stopHgServer(fx.dir);
    });
    for (const c of readCommandCases(spec)) {
      it(c.name, async () => {
        expectSameAsHg(await compareWithHg(fx.dir, c.args), c.expect);
      });
    }
  });
});

// ---------------------------------------------------------------------------
// Errors: hg's stderr (first line, or all of it for verify) and exit code.

type Damage =
  | 'no-repo'
  | 'vectors'
  | 'req-wc'
  | 'req-store'
  | 'trunc-manifest-i'
  | 'trunc-changelog-i'
  | 'trunc-filelog-d'
  | 'corrupt-filelog'
  | 'corrupt-changelog';

interface ErrorCase {
  repo: Damage;
  args: string[];
  expect: ExpectOptions;
}

const abort: ExpectOptions = { hgCode: 255, stderr: 'first-line' };
const verifyFails: ExpectOptions = { hgCode: 1, stderr: 'full' };

const errorCases: ErrorCase[] = [
  // no repository here or above
  ...[['manifest'], ['log'], ['verify'], ['cat', '-r', '0', 'a'], ['heads'], ['debugindex', '-c'], ['status', '--change', '0']].map(
    (args): ErrorCase => ({ repo: 'no-repo', args, expect: { hgCode: 255, stderr: 'full' } }),
  ),
  // unknown revisions, ambiguous and unknown prefixes
  ...[
    ['log', '-r', '999'],
    ['log', '-r', '-100'],
    ['log', '-r', 'abcdef'],
    ['log', '-r', 'nosuchbranch'],
    ['log', '-r', '9'], // 9d61d6eb… and 945f8aea…: ambiguous
    ['identify', '-r', '9'],
    ['manifest', '-r', '999'],
    ['manifest', '-r', 'deadbeef'],
    ['cat', '-r', '999', 'a'],
    ['files', '-r', '999'],
    ['identify', '-r', 'nosuch'],
    ['status', '--rev', '0', '--rev', '999'],
    ['status', '--change', '999'],
    ['debugdata', '-c', '99'],
    ['debugdata', 'a', '5'],
    ['debugindex', 'nosuch'],
  ].map((args): ErrorCase => ({ repo: 'vectors', args, expect: abort })),
  { repo: 'vectors', args: ['cat', '-r', '0', 'nosuch'], expect: { hgCode: 1, stderr: 'full' } },
  { repo: 'vectors', args: ['log', 'nosuch'], expect: { hgCode: 0, stderr: 'full' } },
  // requirements hg does not know
  ...(['req-wc', 'req-store'] as const).flatMap((repo) =>
    [['log'], ['manifest'], ['verify']].map((args): ErrorCase => ({ repo, args, expect: { hgCode: 255, stderr: 'full' } })),
  ),
  // truncated revlogs
  { repo: 'trunc-manifest-i', args: ['manifest'], expect: abort },
  { repo: 'trunc-manifest-i', args: ['manifest', '-r', '0'], expect: abort },
  { repo: 'trunc-manifest-i', args: ['cat', '-r', '0', 'a'], expect: abort },
  { repo: 'trunc-manifest-i', args: ['log', '-l', '1'], expect: { hgCode: 0 } },
  { repo: 'trunc-manifest-i', args: ['verify'], expect: abort },
  { repo: 'trunc-changelog-i', args: ['log'], expect: abort },
  { repo: 'trunc-changelog-i', args: ['tip'], expect: abort },
  { repo: 'trunc-changelog-i', args: ['verify'], expect: abort },
  { repo: 'trunc-filelog-d', args: ['cat', '-r', '0', 'random.bin'], expect: abort },
  { repo: 'trunc-filelog-d', args: ['cat', '-r', '0', 'big.txt'], expect: { hgCode: 0 } },
  { repo: 'trunc-filelog-d', args: ['verify'], expect: verifyFails },
  // a flipped byte: the sha1 check fails
  { repo: 'corrupt-filelog', args: ['cat', '-r', '0', 'a'], expect: abort },
  { repo: 'corrupt-filelog', args: ['cat', '-r', '1', 'a'], expect: { hgCode: 0 } },
  { repo: 'corrupt-filelog', args: ['debugdata', 'a', '0'], expect: abort },
  { repo: 'corrupt-filelog', args: ['verify'], expect: verifyFails },
  { repo: 'corrupt-changelog', args: ['log', '-r', '2'], expect: abort },
  { repo: 'corrupt-changelog', args: ['log'], expect: abort },
  { repo: 'corrupt-changelog', args: ['log', '-l', '1'], expect: { hgCode: 0 } },
  { repo: 'corrupt-changelog', args: ['manifest', '-r', '2'], expect: abort },
  { repo: 'corrupt-changelog', args: ['debugdata', '-c', '2'], expect: abort },
  { repo: 'corrupt-changelog', args: ['verify'], expect: verifyFails },
];

const wantErrors = !only || only.includes('errors');
(wantErrors ? describe : describe.skip)('errors', () => {
  const dirs = new Map<Damage, string>();
  beforeAll(async () => {
    const vectors = await getFixture('vectors');
    const bigfile = await getFixture('bigfile');
    dirs.set('no-repo', makeTempDir('hgkit-norepo-'));
    dirs.set('vectors', vectors.dir);

    const reqWc = copyRepo(vectors, 'req-wc');
    appendLine(path.join(reqWc, '.hg/requires'), 'fake-requirement');
    dirs.set('req-wc', reqWc);
    const reqStore = copyRepo(vectors, 'req-store');
    appendLine(path.join(reqStore, '.hg/store/requires'), 'exp-fake-store-requirement');
    dirs.set('req-store', reqStore);

    const tmi = copyRepo(vectors, 'trunc-mi');
    truncateFile(path.join(tmi, '.hg/store/00manifest.i'), { by: 30 });
    dirs.set('trunc-manifest-i', tmi);
    const tci = copyRepo(vectors, 'trunc-ci');
    truncateFile(path.join(tci, '.hg/store/00changelog.i'), { by: 30 });
    dirs.set('trunc-changelog-i', tci);
    const tfd = copyRepo(bigfile, 'trunc-fd');
    truncateFile(path.join(tfd, '.hg/store/data/random.bin.d'), { to: 100_000 });
    dirs.set('trunc-filelog-d', tfd);

    const cf = copyRepo(vectors, 'corrupt-f');
    corruptRevlogText(path.join(cf, '.hg/store/data/a.i'), 0, 0); // 'hello\n' -> 'iello\n'
    dirs.set('corrupt-filelog', cf);
    const cc = copyRepo(vectors, 'corrupt-c');
    corruptRevlogText(path.join(cc, '.hg/store/00changelog.i'), 2, 42); // 'test' -> 'tdst'
    dirs.set('corrupt-changelog', cc);
    for (const d of dirs.values()) if (!fs.existsSync(d)) throw new Error(`missing ${d}`);
  });

  for (const c of errorCases) {
    it(`${c.repo}: ${c.args.join(' ')}`, async () => {
      const dir = dirs.get(c.repo)!;
      expectSameAsHg(await compareWithHg(dir, c.args, { hgMode: 'process' }), c.expect);
    });
  }
});
