# Helpers for hgkit's write-path tests, run with /usr/bin/python3 (Mercurial 6.3.2).
#   dump REPO RADIX...        JSON per revlog: header, checksize, entries, sha1 of each rawdata (hash-checked)
#   write REPO KIND RADIX     reads JSON [[text_hex, p1, p2, link(, cached_base, cached_delta_hex)], ...] (or {lines, revs}: a generated
#                             linear history) on stdin, adds the revisions with hg's revlog code
#   decompress                reads JSON [chunk_hex...], prints JSON [data_hex...] (revlog.decompress)
#   compress ENGINE           reads JSON [data_hex...], prints JSON [[header_hex, data_hex]...] (revlog.compress)
#   bdiff                     reads JSON [[a_hex, b_hex]...], prints JSON [{blocks, delta_hex}...]
import hashlib
import json
import os
import sys

from mercurial import changelog, hg, mdiff, revlog
from mercurial import ui as uimod
from mercurial.node import hex, nullrev
from mercurial.revlogutils import constants as rc


def openrepo(path):
    return hg.repository(uimod.ui.load(), os.fsencode(path))


KINDS = {'changelog': rc.KIND_CHANGELOG, 'manifest': rc.KIND_MANIFESTLOG, 'filelog': rc.KIND_FILELOG}


def openrevlog(repo, kind, radix):
    if kind == 'manifest':
        return revlog.revlog(repo.svfs, target=(rc.KIND_MANIFESTLOG, b''), radix=os.fsencode(radix), upperboundcomp=3)
    if kind == 'filelog':
        return revlog.revlog(repo.svfs, target=(rc.KIND_FILELOG, os.fsencode(radix)), radix=os.fsencode(radix), censorable=True)
    # the changelog class: no generaldelta for a new changelog, full texts only
    return changelog.changelog(repo.svfs)


def dump(args):
    repo = openrepo(args[0])
    out = []
    for radix in args[1:]:
        rl = revlog.revlog(repo.svfs, target=(rc.KIND_FILELOG, b'x'), radix=os.fsencode(radix))
        revs = []
        for r in range(len(rl)):
            e = rl.index[r]
            text = rl.rawdata(r)
            revs.append({
                'node': hex(rl.node(r)).decode(), 'p1': e[5], 'p2': e[6], 'link': e[4],
                'base': e[3], 'clen': e[1], 'ulen': e[2], 'flags': e[0] & 0xffff, 'offset': e[0] >> 16,
                'sha': hashlib.sha1(text).hexdigest(), 'len': len(text),
                'snapshot': bool(rl.issnapshot(r)), 'chainlen': rl.chainlen(r),
            })
        dd, di = rl.checksize()
        out.append({'radix': radix, 'inline': rl._inline, 'generaldelta': rl._generaldelta,
                    'version': rl._format_version, 'flags': rl._format_flags, 'dd': dd, 'di': di, 'revs': revs})
    print(json.dumps(out))


def write(args):
    repo = openrepo(args[0])
    kind, radix = args[1], args[2]
    items = json.load(sys.stdin)
    with repo.lock(), repo.transaction(b'test') as tr:
        rl = openrevlog(repo, kind, radix)
        if isinstance(items, dict):
            # generated linear history: NLINES lines, each revision changes one
            nlines, nrevs = items['lines'], items['revs']
            lines = [b'line %d xxxxx\n' % i for i in range(nlines)]
            items = []
            texts = []
            for i in range(nrevs):
                lines[(i * 7919) % nlines] = b'changed %d\n' % i
                texts.append(b''.join(lines))
            items = [(t, i - 1, -1, i) for i, t in enumerate(texts)]
        else:
            items = [(bytes.fromhex(it[0]), it[1], it[2], it[3]) + tuple(it[4:]) for it in items]
        for item in items:
            text, p1, p2, link = item[:4]
            n1 = rl.node(p1) if p1 >= 0 else repo.nullid
            n2 = rl.node(p2) if p2 >= 0 else repo.nullid
            cached = (item[4], bytes.fromhex(item[5])) if len(item) > 4 else None
            rl.addrevision(text, tr, link, n1, n2, cachedelta=cached)
    print(json.dumps('ok'))


def decompress(args):
    rl = revlog.revlog(openrepo(args[0]).svfs, target=(rc.KIND_FILELOG, b'x'), radix=b'data/none')
    print(json.dumps([bytes(rl.decompress(bytes.fromhex(c))).hex() for c in json.load(sys.stdin)]))


def compress(args):
    repo = openrepo(args[0])
    rl = revlog.revlog(repo.svfs, target=(rc.KIND_FILELOG, b'x'), radix=b'data/none')
    rl._compengine = args[1].encode()
    print(json.dumps([[h.hex(), bytes(d).hex()] for h, d in (rl.compress(bytes.fromhex(x)) for x in json.load(sys.stdin))]))


def bdiff(args):
    out = []
    for a, b in json.load(sys.stdin):
        a = bytes.fromhex(a)
        b = bytes.fromhex(b)
        out.append({'blocks': [list(x) for x in mdiff.bdiff.blocks(a, b)], 'delta': mdiff.textdiff(a, b).hex()})
    print(json.dumps(out))


{'dump': dump, 'write': write, 'decompress': decompress, 'compress': compress, 'bdiff': bdiff}[sys.argv[1]](sys.argv[2:])
