// Checks of the conformance harness itself (passes without any hgkit code):
// the fixtures are what formats.md says, the hg command server gives the same
// bytes as separate hg processes, and the difference report is readable.
//
//   HGKIT_TEST_FULL_MODE_CHECK=1 npx vitest run test/conformance/read-harness.test.ts
// compares server and process mode on every read case of every fixture (slow).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCommandCases } from '../helpers/cases.js';
import { ALL_FIXTURES, buildFixtureUncached, getFixture, removeFixtures } from '../helpers/fixtures.js';
import {
  HGKIT_BIN,
  describeDifference,
  expectSameAsHg,
  hgServerFor,
  removeTempDir,
  removeTempDirs,
  runHg,
  showLine,
  stopHgServers,
} from '../helpers/hg.js';

afterAll(async () => {
  stopHgServers();
  await removeFixtures();
  removeTempDirs();
});

describe('fixtures', () => {
  it('vectors matches formats.md §13 (changeset and manifest nodes)', async () => {
    const fx = await getFixture('vectors');
    const r = await runHg(['log', '--debug', '-r', '0:', '-T', '{rev} {node} {manifest}\n'], { cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(
      [
        '0 9d61d6eb89dff31ae2a31e6fa411769935993a37 0:d51f7835c8978f5a11f9a33e09d3852ff4979e7c',
        '1 cdc7f2216ba81080d2cceed9951bf178ca08419f 1:0592c7ba0967d2aa51aab63cd95e0c30eb18a165',
        '2 d93ac03e03f8b493bc32efa87ec8ea469529cd25 2:3bdd760c83e076c2a6e3bce16caf39a056f04991',
        '3 27be2cb233ffa12a7c0e05b50c0c1459ba5e45e6 3:cd56dc2b8270f7330f1f1f239d78830e237581e5',
        '4 945f8aea329cc9cfeead17b3680a5694679fe0ef 4:b50f906472d05fd56fad4c9d162d2201b4410a23',
        '5 62830ef9fb8090c60a433220e5124a0531cc4f75 5:a8aeaf0600237f915c20ead6d1354645d495333c',
        '6 bb648daeb085c105379a7facf5cd68577ee23b75 6:998ee8775a047c3386a3b36790f679d1901e48ee',
        '',
      ].join('\n'),
    );
  });

  it('fixtures are deterministic (two builds, same hashes)', async () => {
    const a = await getFixture('misc');
    const b = await buildFixtureUncached('misc');
    try {
      const nodes = async (dir: string) =>
        (await runHg(['log', '--debug', '-T', '{node} {manifest}\n'], { cwd: dir })).stdout.toString();
      const first = await nodes(a.dir);
      expect(first.split('\n').length).toBeGreaterThan(5);
      expect(await nodes(b.dir)).toBe(first);
    } finally {
      removeTempDir(path.dirname(b.dir));
    }
  });
});

// A sample of commands that exercise the command server's channels and exit codes.
const SAMPLE = [
  ['log'],
  ['log', '-v'],
  ['log', '--debug'],
  ['manifest', '--debug'],
  ['heads'],
  ['verify'],
  ['debugindex', '-m'],
  ['debugdata', '-c', '0'],
  ['status', '--rev', '0', '--rev', 'tip', '-C'],
  ['identify', '-r', 'tip'],
  ['log', '-r', '999'],
  ['cat', '-r', '0', 'nosuch'],
  ['files', '-r', 'null'],
];

describe('hg command server gives the same bytes as hg processes', () => {
  const full = process.env['HGKIT_TEST_FULL_MODE_CHECK'] === '1';
  const names = full ? ALL_FIXTURES.map((s) => s.name) : ['vectors', 'binary', 'unicode'];
  for (const name of names) {
    it(name, async () => {
      const fx = await getFixture(name);
      const extra: string[][] = name === 'binary' ? [['cat', '-r', 'tip', 'bytes-copy.bin', 'random.bin']] : [];
      const cases = full ? readCommandCases(fx.spec).map((c) => c.args) : [...SAMPLE, ...extra];
      const server = hgServerFor(fx.dir);
      for (const args of cases) {
        const viaServer = await server.run(args);
        const viaProcess = await runHg(args, { cwd: fx.dir });
        const what = `hg ${args.join(' ')}`;
        expect(describeDifference(`${what} stdout`, viaProcess.stdout, viaServer.stdout) ?? 'same').toBe('same');
        expect(describeDifference(`${what} stderr`, viaProcess.stderr, viaServer.stderr) ?? 'same').toBe('same');
        expect(viaServer.code, what).toBe(viaProcess.code);
      }
    });
  }
});

describe('difference report', () => {
  const res = (stdout: string, code = 0, stderr = '') => ({
    stdout: Buffer.from(stdout, 'latin1'),
    stderr: Buffer.from(stderr),
    code,
  });

  it('names the first differing line, escaped', () => {
    const d = describeDifference('stdout', Buffer.from('a\nb\x00c\nd\n', 'latin1'), Buffer.from('a\nb\x01c\nd\n', 'latin1'));
    expect(d).toContain('stdout differs at line 2 (byte 2)');
    expect(d).toContain(`hg:    'b\\x00c'`);
    expect(d).toContain(`hgkit: 'b\\x01c'`);
    expect(describeDifference('stdout', Buffer.from('x\n'), Buffer.from('x\n'))).toBeUndefined();
  });

  it('shows missing lines and missing final newlines', () => {
    expect(describeDifference('stdout', Buffer.from('a\nb\n'), Buffer.from('a\n'))).toContain('hgkit: <end of output>');
    expect(showLine(Buffer.from('tail'))).toBe(`'tail' (no newline at end)`);
    expect(showLine(Buffer.from('caf\xe9\n', 'latin1'))).toBe(`'caf\\xe9'`);
    expect(showLine(Buffer.from('café\t\n'))).toBe(`'café\\t'`);
  });

  it('reports exit codes, stdout and stderr together', () => {
    const pair = { args: ['log'], hg: res('x\n', 255, 'abort: boom\n'), hgkit: res('', 1, 'TypeError: nope\n  at x\n') };
    expect(() => expectSameAsHg(pair, { hgCode: 255 })).toThrow(/exit code differs: hg 255, hgkit 1[\s\S]*stdout differs at line 1[\s\S]*stderr \(first line\) differs/);
    expect(() => expectSameAsHg(pair, { hgCode: 0 })).toThrow(/harness: `hg log` exited 255 under real hg, expected 0/);
    expect(() => expectSameAsHg({ ...pair, hgkit: pair.hg }, { hgCode: 255 })).not.toThrow();
  });

  it('finds the hgkit launcher relative to the checkout', () => {
    expect(fs.existsSync(HGKIT_BIN)).toBe(true);
  });
});
