// Reading and writing `.hg/dirstate` in the repository's format.
//
// v1 is read and written here. dirstate-v2 (requirement `dirstate-v2`, a
// docket in `.hg/dirstate` pointing to `.hg/dirstate.<uuid>`) is the other
// format the in-memory DirstateMap is shaped for (the row flags are v2's);
// its reader/writer plug in at DIRSTATE_FORMATS below.

import { UnsupportedFeatureError } from '../core/errors.js';
import { DirstateMap } from './dirstate-map.js';
import { encodeDirstateV1, parseDirstateV1 } from './dirstate-v1.js';
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

const V2_UNSUPPORTED: DirstateCodec = {
  read() {
    throw new UnsupportedFeatureError('dirstate-v2 is not supported by hgkit yet');
  },
  write() {
    throw new UnsupportedFeatureError('dirstate-v2 is not supported by hgkit yet');
  },
};

/** The codecs by format; dirstate-v2 support replaces the 'v2' entry. */
export const DIRSTATE_FORMATS: Record<DirstateFormat, DirstateCodec> = {
  v1: V1,
  v2: V2_UNSUPPORTED,
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
