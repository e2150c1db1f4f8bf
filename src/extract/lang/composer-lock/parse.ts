/** composer.lock → records. Pure: knows nothing of purls. */
import { LineFinder } from '../../formats/lines.js';
import { parseJsonText } from '../../formats/json.js';
import { readPackageArray, type ComposerPackages } from '../composer-common/packages.js';
import { FormatError } from '../../formats/error.js';

export function parseComposerLock(text: string): ComposerPackages {
  const doc = parseJsonText(text);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new FormatError('not a JSON object');
  const o = doc as Record<string, unknown>;
  if (!('packages' in o) && !('packages-dev' in o)) throw new FormatError('neither "packages" nor "packages-dev" present');
  const lines = new LineFinder(text);
  const out: ComposerPackages = { packages: [], dropped: [] };
  readPackageArray(o['packages'], 'packages', () => false, lines, out);
  readPackageArray(o['packages-dev'], 'packages-dev', () => true, lines, out);
  return out;
}

/** Names required by a composer.json (require and require-dev), platform packages excluded. */
export function parseComposerJsonRequires(text: string): Set<string> | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const names = new Set<string>();
  for (const key of ['require', 'require-dev']) {
    const req = (doc as Record<string, unknown>)[key];
    if (typeof req === 'object' && req !== null) for (const n of Object.keys(req)) if (n.includes('/')) names.add(n.toLowerCase());
  }
  return names;
}
