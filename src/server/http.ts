import { SEVERITIES, isSeverity } from '../core/severity.js';
import type { Severity } from '../core/severity.js';
import { InvalidRequestError } from './errors.js';

/** Query-string helpers beyond what a route's JSON schema can say. */
export type Query = Record<string, string | undefined>;

/** A comma-separated severity list (case-insensitive); undefined when absent or empty. */
export function severityParam(q: Query, name: string): Severity[] | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  const out: Severity[] = [];
  for (const s of v.split(',').map((x) => x.trim().toUpperCase()).filter(Boolean)) {
    if (!isSeverity(s)) throw new InvalidRequestError(`${name} must be a comma-separated list of ${SEVERITIES.join(', ')}`);
    out.push(s);
  }
  return out;
}
