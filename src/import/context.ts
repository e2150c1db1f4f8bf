import type { ImportFormat } from './types.js';

/** What every format parser gets besides the document. */
export interface ParseContext {
  /** The file name used in messages and recorded in the report. */
  file: string;
  now: Date;
  format: ImportFormat;
}
