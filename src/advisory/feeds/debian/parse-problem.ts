/**
 * A record a feed parser could not use, or a part of a record it had to drop.
 * Parsers never throw on a malformed record: they skip it and report it here, so that the importer can count
 * and log what was lost without aborting the import. Shared by the Debian and Alpine parsers.
 *
 * The `skipped: true` marker makes a problem structurally the store's `SkippedRecord`
 * (src/advisory/store/writer.ts), so a parser's output can be handed to the writer as feed items unchanged.
 */
export interface ParseProblem {
  skipped: true;
  /** Why it was skipped, for humans ("unknown release codename \"potato\""). */
  reason: string;
  /** Where in the input: "<feed file>:<line>" or "<feed file>: <package>/<advisory id>/<release>". */
  where: string;
}

/** True for a problem, false for an advisory record. */
export function isParseProblem(x: object): x is ParseProblem {
  return 'skipped' in x && (x as { skipped: unknown }).skipped === true;
}
