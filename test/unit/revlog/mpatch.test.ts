// mpatch against deltas produced by Mercurial's own bdiff, applied in chains.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { patches } from '../../../src/revlog/mpatch.js';
import { StorageError } from '../../../src/core/errors.js';

const GEN = `
import random, json, sys
from mercurial import mdiff
random.seed(int(sys.argv[1]))
def rnd():
    n = random.randint(0, 60)
    return b"".join(random.choice([b"a\\n", b"b\\n", b"line %d\\n" % random.randint(0, 9), b"\\x00\\x01", b"zz"]) for _ in range(n))
for case in range(300):
    texts = [rnd() for _ in range(random.randint(1, 6))]
    deltas = [mdiff.textdiff(texts[i], texts[i + 1]) for i in range(len(texts) - 1)]
    print(json.dumps({"base": texts[0].hex(), "deltas": [d.hex() for d in deltas], "result": texts[-1].hex()}))
`;

describe('mpatch', () => {
  const out = spawnSync('/usr/bin/python3', ['-c', GEN, '42']);
  const cases = out.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as { base: string; deltas: string[]; result: string });

  it('applies chains of hg deltas to hg\'s results', () => {
    expect(out.status).toBe(0);
    expect(cases.length).toBe(300);
    for (const c of cases) {
      const got = patches(Buffer.from(c.base, 'hex'), c.deltas.map((d) => Buffer.from(d, 'hex')));
      expect(Buffer.from(got).toString('hex')).toBe(c.result);
    }
  });

  it('rejects malformed deltas', () => {
    const base = Buffer.from('hello\n');
    const hunk = (s: number, e: number, data: string): Buffer => {
      const b = Buffer.alloc(12 + data.length);
      b.writeInt32BE(s, 0);
      b.writeInt32BE(e, 4);
      b.writeInt32BE(data.length, 8);
      b.write(data, 12);
      return b;
    };
    expect(() => patches(base, [hunk(0, 99, 'x')])).toThrow(StorageError);
    expect(() => patches(base, [Buffer.concat([hunk(3, 4, 'x'), hunk(1, 2, 'y')])])).toThrow(StorageError);
    expect(() => patches(base, [hunk(0, 1, 'x').subarray(0, 10)])).toThrow(StorageError);
    expect(Buffer.from(patches(base, [hunk(0, 5, 'HELLO')])).toString()).toBe('HELLO\n');
  });
});
