import type { RecordProblem } from '../common.js';

/** One stored rpm header blob with the backend's own id for it (page, slot or hnum). */
export interface RpmBlob {
  id: number;
  blob: Uint8Array;
}

export interface RpmBlobs {
  blobs: RpmBlob[];
  /** Damage that lost some entries but not the whole file. */
  problems: RecordProblem[];
}

/** The database file as a whole cannot be read. */
