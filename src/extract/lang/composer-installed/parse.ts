/**
 * vendor/composer/installed.json → records. Pure.
 * Composer 1 writes a bare array of packages; Composer 2 writes
 * `{ "packages": [...], "dev": bool, "dev-package-names": [...] }`.
 */
import { LineFinder } from '../../formats/lines.js';
import { parseJsonText } from '../../formats/json.js';
import { readPackageArray, type ComposerPackages } from '../composer-common/packages.js';
import { FormatError } from '../../formats/error.js';

export interface InstalledJson extends ComposerPackages {
  format: 1 | 2;
}

export function parseInstalledJson(text: string): InstalledJson {
  const doc = parseJsonText(text);
  const lines = new LineFinder(text);
  const out: InstalledJson = { format: 1, packages: [], dropped: [] };
  if (Array.isArray(doc)) {
    readPackageArray(doc, 'packages', () => false, lines, out);
    return out;
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as Record<string, unknown>)['packages'])) {
    throw new FormatError('neither a package array (Composer 1) nor an object with "packages" (Composer 2)');
  }
  const o = doc as Record<string, unknown>;
  const devNames = new Set(Array.isArray(o['dev-package-names']) ? o['dev-package-names'].filter((x): x is string => typeof x === 'string') : []);
  out.format = 2;
  readPackageArray(o['packages'], 'packages', (n) => devNames.has(n), lines, out);
  return out;
}
