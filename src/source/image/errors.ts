import { BulwarkError } from '../../core/errors.js';

/** A bad image archive, manifest, blob or layer (code BULWARK_E_ARCHIVE). */
export class ImageArchiveError extends BulwarkError {
  /** The layer or blob digest (or archive path) concerned, when there is one. */
  readonly subject: string | undefined;
  constructor(message: string, options?: { hint?: string; cause?: unknown; subject?: string }) {
    super('BULWARK_E_ARCHIVE', message, options);
    this.subject = options?.subject;
  }
}

/** Something the image forms do not support (code BULWARK_E_UNSUPPORTED). */
export class ImageUnsupportedError extends BulwarkError {
  constructor(message: string, hint?: string) {
    super('BULWARK_E_UNSUPPORTED', message, { hint });
  }
}
