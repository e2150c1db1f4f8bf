import { FetchError } from '../../core/errors.js';

/** A registry answer or network failure (code BULWARK_E_FETCH) that says what the user can do about it. */
export class RegistryError extends FetchError {
  override readonly hint: string | undefined;
  readonly registry: string;
  constructor(registry: string, url: string, message: string, options: { status?: number; retryable: boolean; cause?: unknown; hint?: string }) {
    super(url, message, options);
    this.registry = registry;
    this.hint = options.hint;
  }
}
