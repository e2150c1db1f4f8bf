/**
 * The scheme of ecosystems Bulwark has no ordering for: every comparison throws rather than guessing.
 * isValid answers false so callers can tell "unknown" from "not affected".
 */
import { InvalidVersionError } from '../../core/errors.js';
import type { VersionScheme } from '../types.js';

export const genericScheme: VersionScheme = {
  id: 'generic',
  isValid(): boolean {
    return false;
  },
  compare(a: string): number {
    throw new InvalidVersionError('generic', a, 'cannot compare: no version ordering is known for this ecosystem');
  },
};
