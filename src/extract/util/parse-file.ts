import { ParseError } from '../../core/errors.js';
import { FormatError } from '../formats/error.js';

/**
 * Runs a format parser. Its own error class (the format's "this file is not what it claims") and the shared
 * FormatError become a ParseError naming the file; anything else is a bug and propagates as it is.
 */
export function parseFile<T>(path: string, formatError: abstract new (...args: never[]) => Error, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof formatError || e instanceof FormatError) throw new ParseError(path, e.message, { cause: e });
    throw e;
  }
}
