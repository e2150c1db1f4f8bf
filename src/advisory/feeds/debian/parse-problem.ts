/**
 * A record a feed parser could not use, or a part of a record it had to drop.
 * Parsers never throw on a malformed record: they skip it and report it here, so that the importer can count
 * and log what was lost without aborting the import. Shared by the Debian and Alpine parsers.
 */
export interface ParseProblem {
  /** Why it was skipped, for humans ("unknown release codename \"potato\""). */
  reason: string;
  /** Where in the input: "<feed file>:<line>" or "<feed file>: <package>/<advisory id>/<release>". */
  where: string;
}

/** True for a problem, false for an advisory record (records always carry an `id`, problems never do). */
export function isParseProblem(x: object): x is ParseProblem {
  return !('id' in x) && 'reason' in x && 'where' in x;
}
