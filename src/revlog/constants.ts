export const INDEX_ENTRY_SIZE = 64;
export const REVLOGV0 = 0;
export const REVLOGV1 = 1;
export const FLAG_INLINE_DATA = 1 << 16;
export const FLAG_GENERALDELTA = 1 << 17;

/** Revision flags (u16 in the index entry). */
export const REVIDX_ISCENSORED = 1 << 15;
export const REVIDX_ELLIPSIS = 1 << 14;
export const REVIDX_EXTSTORED = 1 << 13;
export const REVIDX_HASCOPIESINFO = 1 << 12;
export const REVIDX_KNOWN_FLAGS = REVIDX_ISCENSORED | REVIDX_ELLIPSIS | REVIDX_EXTSTORED | REVIDX_HASCOPIESINFO;
