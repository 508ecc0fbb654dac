// The flat view of a tree manifest: each directory's text lists its direct
// children, subdirectories flagged `t`; the flat text lists every file under
// its full path in bytewise path order. Tree order sorts a directory by its
// bare name (`dir` < `dir-x`), flat order by `dir/` (`dir-x` < `dir/b`), so
// each directory's entries are re-sorted with that key before recursing.
import { StorageError } from '../core/errors.js';
import { compareBytes, concatBytes, hexBytesToBin } from '../core/bytes.js';
import type { Node } from '../core/node.js';
import type { ManifestStorage } from './manifest-storage.js';

interface TreeEntry {
  key: Uint8Array; // name, plus '/' for a directory
  line: Uint8Array; // the whole line (files) or the name (directories)
  node?: Node; // directories only
}

function parseDir(text: Uint8Array, dirName: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  let s = 0;
  while (s < text.length) {
    const z = text.indexOf(0, s);
    const nl = text.indexOf(10, s);
    if (z < 0 || nl < 0 || nl < z + 41) throw new StorageError(`malformed tree manifest for '${dirName}'`);
    if (nl > z + 41 && text[z + 41] === 0x74 /* t */) {
      const name = text.subarray(s, z);
      const node = hexBytesToBin(text, z + 1, 20);
      if (!node) throw new StorageError(`malformed tree manifest for '${dirName}'`);
      out.push({ key: concatBytes([name, SLASH]), line: name, node });
    } else {
      out.push({ key: text.subarray(s, z), line: text.subarray(s, nl + 1) });
    }
    s = nl + 1;
  }
  return out;
}

const SLASH = new Uint8Array([0x2f]);

/** Builds the flat manifest text of the tree rooted at `node` in `storage`. */
export function flattenTree(storage: ManifestStorage, node: Node): Uint8Array {
  const parts: Uint8Array[] = [];
  const walk = (st: ManifestStorage, n: Node, prefix: Uint8Array): void => {
    const entries = parseDir(st.revision(st.rev(n)), st.tree);
    entries.sort((a, b) => compareBytes(a.key, b.key));
    for (const e of entries) {
      if (e.node) {
        const sub = concatBytes([prefix, e.key]);
        walk(st.dirStorage(sub), e.node, sub);
      } else {
        if (prefix.length) parts.push(prefix);
        parts.push(e.line);
      }
    }
  };
  walk(storage, node, new Uint8Array(0));
  return concatBytes(parts);
}
