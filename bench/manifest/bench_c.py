# The C side of `npm run bench:manifest`: Mercurial's C lazymanifest
# (mercurial.cext.parsers) and manifestdict.fastdelta, on the data files that
# bench/manifest/run.mjs generated. Driven over stdin/stdout, one JSON command
# per line, so the Node driver can alternate hgkit and C run by run:
#   {"op": "parse", "size": 100000}  ->  {"wall": ms, "cpu": ms}
# Setup work (reading files, building the manifest to edit) is outside the timing.
import json
import os
import sys
import time

from mercurial import manifest
from mercurial.cext import parsers

DATA = sys.argv[1]
_cache = {}


def data(size):
    d = _cache.get(size)
    if d is None:
        def rd(name):
            with open(os.path.join(DATA, '%d.%s' % (size, name)), 'rb') as f:
                return f.read()

        d = {'text': rd('text'), 'other': rd('other')}
        d['lookups'] = rd('lookups').split(b'\n')[:-1]
        d['sets'] = [
            (l[:-43], bytes.fromhex(l[-42:-2].decode()), l[-1:].strip(b'-'))
            for l in rd('sets').split(b'\n')[:-1]
        ]
        d['changes'] = [l for l in rd('changes').split(b'\n')[:-1]]
        d['prefix'] = rd('prefix')
        d['m'] = parsers.lazymanifest(20, d['text'])
        d['mo'] = parsers.lazymanifest(20, d['other'])
        d['basearray'] = bytearray(d['text'])
        _cache[size] = d
    return d


def timed(fn):
    c0 = time.process_time()
    t0 = time.perf_counter()
    fn()
    t1 = time.perf_counter()
    c1 = time.process_time()
    return (t1 - t0) * 1000.0, (c1 - c0) * 1000.0


def run(op, size):
    d = data(size)
    text = d['text']
    if op == 'parse':
        return timed(lambda: len(parsers.lazymanifest(20, text)))
    if op == 'lookup':
        m = d['m']
        keys = d['lookups']

        def f():
            for k in keys:
                m[k]
        return timed(f)
    if op == 'iterkeys':
        m = d['m']

        def f():
            for _ in m.iterkeys():
                pass
        return timed(f)
    if op == 'iterentries':
        m = d['m']

        def f():
            for _ in m.iterentries():
                pass
        return timed(f)
    if op == 'diff':
        m, mo = d['m'], d['mo']
        return timed(lambda: m.diff(mo))
    if op == 'settext':
        m = parsers.lazymanifest(20, text)
        sets = d['sets']

        def f():
            for p, n, fl in sets:
                m[p] = (n, fl)
            m.text()
        return timed(f)
    if op == 'filter':
        m = d['m']
        pre = d['prefix']
        return timed(lambda: m.filtercopy(lambda p: p.startswith(pre)))
    if op == 'fastdelta':
        md = manifest.manifestdict(20, text)
        changes = d['changes']
        for i, p in enumerate(changes):
            md._lm[p] = (bytes([i % 251 + 1]) * 20, b'')
        work = [(p, False) for p in changes]
        base = d['basearray']
        return timed(lambda: md.fastdelta(base, work))
    if op == 'copy':
        m = d['m']
        return timed(lambda: m.copy())
    raise ValueError(op)


for line in sys.stdin:
    cmd = json.loads(line)
    if cmd.get('op') == 'size':
        m = data(cmd['size'])['m']
        print(json.dumps({'len': len(m)}))
    else:
        wall, cpu = run(cmd['op'], cmd['size'])
        print(json.dumps({'wall': wall, 'cpu': cpu}))
    sys.stdout.flush()
