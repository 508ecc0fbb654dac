// hgkit's date parsing (src/store/commit-date.ts) against Mercurial's own
// dateutil.parsedate, run by the Python that has Mercurial, with the same
// inputs, time zones and a fixed "now".
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDate, localOffset } from '../../../src/store/commit-date.js';

const PY = '/usr/bin/python3';
const HAVE_HG_PY = fs.existsSync(PY) && spawnSync(PY, ['-c', 'import mercurial']).status === 0;

const NOW = 1_700_000_123; // Tue Nov 14 22:15:23 2023 UTC

const INPUTS = [
  '0 0', '1000000 -3600', '-1 0', '  12 34  ', '1_000 0', '+5 -7', '1 2 3', '1  2', '99999999999 0', '0 99999', '0 -50400', '0 -50401', '0 43200',
  '2006-02-01 13:00:30', '2006-02-01 13:00:30 +0200', '2006-02-01 13:00:30 -0530', '2006-02-01 13:00:30 +05:30', '2006-02-01T13:00:30Z',
  '2006-02-01T13:00', '2006-02-01T1300', '2006-02-01T130030', '2006-02-01 1:02:03pm', '2006-02-01 1:02AM', '2006-02-01 12:00am', '2006-02-01 12:00pm',
  '2006-02-01', '2006-2-1', '02-01', '2/1', '2/1/06', '2/1/1976', '12/25/99', '12/25/68', '12/25/69',
  'Wed Feb 01 13:00:30 2006', 'wed feb 1 13:00:30 2006', 'Wed Feb 01 01:00:30PM 2006', 'Wed, 01 Feb 2006 13:00:30', 'Wed, 01 Feb 2006 13:00:30 +0100',
  'Feb 01 13:00:30 2006', 'Feb 1 1:00:30pm 2006', 'Feb 01 13:00:30', 'Feb 01 1:00:30pm', 'Feb 01 13:00', 'Feb 01 1:00pm', 'Feb 01 2006', 'Feb 01', 'feb  1',
  '13:00:30', '1:00:30pm', '13:00', '1:00pm', '12:30 UTC', '12:30 GMT', '12:30 +0000', '  12:30  ',
  'Feb 30', '2020-13-01', '2020-02-29', '2021-02-29', '25:00', 'now-ish', 'bad date', '', "it's", 'tab\there', 'caf\u00e9',
  '2021-07-04 10:00', '2021-01-04 10:00', '2021-03-28 02:30', '2021-10-31 02:30', '2021-03-14 02:30', '2021-11-07 01:30', '1901-12-13 20:45:52 UTC', '1901-12-13 20:45:51 UTC', '2038-01-19 03:14:08 UTC',
];
// (Local times before ~1911 are left out: V8 rounds the local-mean-time offsets
// of that era to whole minutes, glibc keeps their seconds.)
const ZONES = ['UTC', 'America/New_York', 'Europe/Paris', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Kiritimati'];

const SCRIPT = `
import json, sys, time
from mercurial.utils import dateutil
from mercurial import error
NOW = float(sys.argv[1])
orig = dateutil.makedate
dateutil.makedate = lambda timestamp=None: orig(NOW if timestamp is None else timestamp)
out = []
for s in json.loads(sys.stdin.read()):
    try:
        w, o = dateutil.parsedate(s.encode('utf-8'))
        out.append([w, o])
    except error.ParseError as e:
        out.append(str(e.args[0], 'utf-8', 'replace') if isinstance(e.args[0], bytes) else str(e.args[0]))
print(json.dumps(out))
`;

describe.skipIf(!HAVE_HG_PY)('parseDate vs mercurial.utils.dateutil.parsedate', () => {
  for (const tz of ZONES) {
    it(`TZ=${tz}`, () => {
      const r = spawnSync(PY, ['-c', SCRIPT, String(NOW)], { input: JSON.stringify(INPUTS), env: { ...process.env, TZ: tz }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const expected = JSON.parse(r.stdout) as ([number, number] | string)[];
      // Node re-reads the zone when process.env.TZ is assigned
      const prevTz = process.env['TZ'];
      process.env['TZ'] = tz;
      try {
        const got = INPUTS.map((s) => {
          try {
            const d = parseDate(s, { now: () => ({ time: NOW, tz: localOffset(NOW) }) });
            return [d.time, d.tz];
          } catch (e) {
            return (e as Error).message;
          }
        });
        const bad = INPUTS.map((s, i) => [s, got[i], expected[i]]).filter(([, g, e]) => JSON.stringify(g) !== JSON.stringify(e));
        expect(bad).toEqual([]);
      } finally {
        if (prevTz === undefined) delete process.env['TZ'];
        else process.env['TZ'] = prevTz;
      }
    });
  }
});
