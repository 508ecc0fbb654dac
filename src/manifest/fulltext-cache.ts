// hg's manifest full-text cache (`.hg/wcache/manifestfulltextcache`): entries
// `node(20) size(u32 BE) text`, up to the end of the file; a truncated tail is
// ignored, as hg does. Entries are located once and handed out as views.
import { nodeKey, type Node } from '../core/node.js';

export class ManifestFulltextCache {
  private index: Map<string, [number, number]> | undefined;

  constructor(private readonly load: () => Uint8Array | undefined) {}

  private build(): Map<string, [number, number]> {
    const map = new Map<string, [number, number]>();
    const data = this.load();
    if (data) {
      const dv = new DataView(data.buffer, data.byteOffset, data.length);
      let p = 0;
      while (p + 24 <= data.length) {
        const size = dv.getUint32(p + 20);
        if (p + 24 + size > data.length) break;
        map.set(nodeKey(data, p), [p + 24, size]);
        p += 24 + size;
      }
      this.data = data;
    }
    return map;
  }

  private data: Uint8Array | undefined;

  /** The cached full text of a manifest node (unverified), or undefined. */
  get(node: Node): Uint8Array | undefined {
    if (!this.index) this.index = this.build();
    const e = this.index.get(nodeKey(node));
    return e && this.data ? this.data.subarray(e[0], e[0] + e[1]) : undefined;
  }
}
