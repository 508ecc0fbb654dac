# Mercurial's own diff code (hg 6.3.2, run with /usr/bin/python3) for hgkit's
# unit tests. Reads JSON on stdin, prints JSON:
#   unidiff     [{a, b, ad, bd, fn1, fn2, binary, opts}...] (a/b hex or null) -> [hex of headers+hunks or null]
#   b85diff     [[to_hex|null, tn_hex|null]...] -> [hex]
#   zlib        [hex...] -> [hex of zlib.compress]
#   b85encode   [hex...] -> [base85 text, padded]
#   diffstat    [[text_hex, width]...] -> [hex]
#   fixws       [[hex, allws]...] -> [hex]
import json
import sys
import zlib

from mercurial import mdiff, patch, util


def unhex(h):
    return None if h is None else bytes.fromhex(h)


def unidiff(req):
    out = []
    for r in req:
        opts = mdiff.diffopts(**r['opts'])
        headers, hunks = mdiff.unidiff(
            unhex(r['a']), r['ad'].encode(), unhex(r['b']), r['bd'].encode(),
            r['fn1'].encode(), r['fn2'].encode(), r['binary'], opts)
        text = b''.join(b''.join(hl) for hr, hl in hunks)
        if not headers and not text:
            out.append(None)
        else:
            out.append((b''.join(h + b'\n' for h in headers) + text).hex())
    return out


def main():
    cmd = sys.argv[1]
    req = json.load(sys.stdin)
    if cmd == 'unidiff':
        res = unidiff(req)
    elif cmd == 'b85diff':
        res = [mdiff.b85diff(unhex(a), unhex(b)).hex() for a, b in req]
    elif cmd == 'zlib':
        res = [zlib.compress(bytes.fromhex(h)).hex() for h in req]
    elif cmd == 'b85encode':
        res = [util.b85encode(bytes.fromhex(h), True).decode() for h in req]
    elif cmd == 'diffstat':
        res = [patch.diffstat(util.iterlines([bytes.fromhex(t)]), width=w).hex() for t, w in req]
    elif cmd == 'fixws':
        res = [mdiff.fixws(bytes.fromhex(h), a).hex() for h, a in req]
    else:
        raise SystemExit('unknown command ' + cmd)
    json.dump(res, sys.stdout)


main()
