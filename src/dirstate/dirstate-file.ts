// Reading and writing `.hg/dirstate` in the repository's format.
//
// v1, and dirstate-v2 (requirement `dirstate-v2`: a docket in `.hg/dirstate`
// pointing to `.hg/dirstate.<uuid>`, see dirstate-v2.ts). The in-memory
// DirstateMap serves both (the row flags are v2's).

import { DirstateMap } from './dirstate-map.js';
import { encodeDirstateV1, parseDirstateV1 } from './dirstate-v1.js';
import { dataFileName, encodeDirstateV2, encodeDocket, makeUid, parseDirstateV2, parseDocket } from './dirstate-v2.js';
import type { DirstateStorage, FileIdentity } from './working-fs.js';

export type DirstateFormat = 'v1' | 'v2';

/** An on-disk format: how `.hg/dirstate` (and its data files) become a DirstateMap and back. */
export interface DirstateCodec {
  read(storage: DirstateStorage): { map: DirstateMap; identity: FileIdentity | undefined };
  write(storage: DirstateStorage, map: DirstateMap): void;
}

const V1: DirstateCodec = {
  read(storage) {
    const r = storage.read('dirstate');
    if (r === undefined) return { map: DirstateMap.empty(), identity: undefined };
    return { map: parseDirstateV1(r.data), identity: r.identity };
  },
  write(storage, map) {
    storage.writeAtomic('dirstate', encodeDirstateV1(map));
    map.dirty = false;
  },
};

/**
 * dirstate-v2. Writing always makes a fresh data file (new uuid), then
 * replaces the docket atomically, then removes the old data file (what hg
 * does when it does not append).
 */
const V2: DirstateCodec = {
  read(storage) {
    const r = storage.read('dirstate');
    if (r === undefined) return { map: DirstateMap.empty(), identity: undefined };
    const docket = parseDocket(r.data);
    const data = docket.uuid === undefined ? undefined : storage.read(dataFileName(docket.uuid))?.data;
    return { map: parseDirstateV2(docket, data), identity: r.identity };
  },
  write(storage, map) {
    const old = storage.read('dirstate');
    let oldUuid: string | undefined;
    if (old !== undefined) {
      try {
        oldUuid = parseDocket(old.data).uuid;
      } catch {
        oldUuid = undefined;
      }
    }
    const { data, treeMetadata } = encodeDirstateV2(map);
    let uuid = makeUid();
    while (uuid === oldUuid) uuid = makeUid();
    storage.writeAtomic(dataFileName(uuid), data);
    storage.writeAtomic('dirstate', encodeDocket({ parents: map.parents(), treeMetadata, dataSize: data.length, uuid }));
    if (oldUuid !== undefined && storage.remove) storage.remove(dataFileName(oldUuid));
    map.dirty = false;
  },
};

/** The codecs by format. */
export const DIRSTATE_FORMATS: Record<DirstateFormat, DirstateCodec> = {
  v1: V1,
  v2: V2,
};

export function dirstateFormat(requirements: ReadonlySet<string>): DirstateFormat {
  return requirements.has('dirstate-v2') ? 'v2' : 'v1';
}

/** A dirstate read from disk, with what is needed to write it back safely. */
export interface LoadedDirstate {
  map: DirstateMap;
  format: DirstateFormat;
  /** hg's dirstate identity (filestat of `.hg/dirstate`) when it was read; undefined if it did not exist. */
  identity: FileIdentity | undefined;
}

export function readDirstate(storage: DirstateStorage, requirements: ReadonlySet<string>): LoadedDirstate {
  const format = dirstateFormat(requirements);
  const { map, identity } = DIRSTATE_FORMATS[format].read(storage);
  return { map, format, identity };
}

/** Writes the dirstate (atomically, hg's checkambig included). The caller holds the wlock. */
export function writeDirstate(storage: DirstateStorage, loaded: LoadedDirstate): void {
  DIRSTATE_FORMATS[loaded.format].write(storage, loaded.map);
  loaded.identity = storage.identity('dirstate');
}
