// Byte helpers of the changeset printer against Python/Mercurial's own functions.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { escapeStr, firstLine, stripBytes } from '../../../src/cli/changeset-printer.js';

const PY = '/usr/bin/python3';

const inputs: number[][] = [
  Array.from({ length: 256 }, (_, i) => i),
  [...Buffer.from("  \t\n\x0b\x0cdesc line\r\nsecond\n\n \x0c")],
  [...Buffer.from('only\rcarriage\nreturn')],
  [...Buffer.from('\n\nleading newlines')],
  [...Buffer.from("quote's \"double\" back\\slash")],
  [...Buffer.from('ünïcödé\u00a0nbsp\u2028sep')],
  [],
  [0x20, 0x20],
];

describe.runIf(existsSync(PY))('printer byte helpers vs Python', () => {
  it('escapeStr, stripBytes, firstLine', () => {
    const script = `
import json, sys
from mercurial.utils import stringutil
out = []
for b in json.loads(sys.argv[1]):
    b = bytes(b)
    out.append([list(stringutil.escapestr(b)), list(b.strip()), list(stringutil.firstline(b.strip()))])
print(json.dumps(out))
`;
    const r = spawnSync(PY, ['-c', script, JSON.stringify(inputs)], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const expected = JSON.parse(r.stdout) as number[][][];
    const actual = inputs.map((b) => {
      const u = Uint8Array.from(b);
      return [[...escapeStr(u)], [...stripBytes(u)], [...firstLine(stripBytes(u))]];
    });
    expect(actual).toEqual(expected);
  });
});
