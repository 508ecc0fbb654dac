// datestr/shortdate against Mercurial's own dateutil (run with /usr/bin/python3).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { datestr, shortdate } from '../../../src/cli/dates.js';

const PY = '/usr/bin/python3';

const cases: [number, number][] = [
  [0, 0], [42, 0], [-42, 0], [1000000, -3600], [2000000, 19800], [0, 19800], [10000000, -45000],
  [11000000, 43200], [-1000, 0], [1700000000, -7200], [951782400, 0], [0x7fffffff, 0], [-0x80000000, 0],
  [0x7fffffff, -3600], [-0x80000000, 3600], [4102444800, 0], [-5000000000, 0], [1234567890, 30], [1234567890, -59],
  [1234567890, 61], [86399, 0], [86400, 1], [1.5, 0], [-0.5, 0], [1583020800, 0], [1582934400, -86399],
];

describe.runIf(existsSync(PY))('dates vs hg dateutil', () => {
  it('datestr and shortdate', () => {
    const script = `
import json, sys
from mercurial.utils import dateutil
out = []
for t, tz in json.loads(sys.argv[1]):
    out.append([dateutil.datestr((t, tz)).decode(), dateutil.shortdate((t, tz)).decode()])
print(json.dumps(out))
`;
    const r = spawnSync(PY, ['-c', script, JSON.stringify(cases)], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const expected = JSON.parse(r.stdout) as [string, string][];
    const actual = cases.map(([t, tz]) => [datestr(t, tz), shortdate(t, tz)]);
    expect(actual).toEqual(expected);
  });
});
