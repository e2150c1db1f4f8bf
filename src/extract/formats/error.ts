/**
 * The one error a format parser throws when a file is not what it claims to be (bad syntax, wrong shape,
 * nesting too deep). `parseFile` turns it into a ParseError naming the file; anything else a parser throws
 * is a bug.
 */
export class FormatError extends Error {
  override readonly name = 'FormatError';
  /** Character offset in the text, when the parser knows it. */
  readonly offset: number | undefined;

  constructor(message: string, options?: { offset?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.offset = options?.offset;
  }
}

/**
 * How deeply any structured format (JSON, YAML, TOML, XML) may nest. Real lockfiles and manifests stay far
 * below it; a file above it is refused with a FormatError instead of running a recursive parser or walker
 * out of stack.
 */
export const MAX_NESTING = 256;

export function tooDeep(format: string): FormatError {
  return new FormatError(`invalid ${format}: nesting deeper than ${MAX_NESTING} levels`);
}
