import { ParseError } from '../../core/errors.js';
import { FormatError } from '../formats/error.js';

/**
 * Runs a format parser. A FormatError (the file is not what it claims to be) becomes a ParseError naming the
 * file; anything else is a bug and propagates as it is.
 */
export function parseFile<T>(path: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof FormatError) throw new ParseError(path, e.message, { cause: e });
    throw e;
  }
}

/** parseFile for parsers that read asynchronously (zip archives). */
export async function parseFileAsync<T>(path: string, parse: () => Promise<T>): Promise<T> {
  try {
    return await parse();
  } catch (e) {
    if (e instanceof FormatError) throw new ParseError(path, e.message, { cause: e });
    throw e;
  }
}
