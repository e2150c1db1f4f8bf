/** package.json of an installed package: its name and version. Pure. */
import { keyOffset, parseJsonObject, str } from '../../formats/json.js';

export interface InstalledManifest {
  name: string | undefined;
  version: string | undefined;
  /** Offset of the "version" key, for the location line. */
  offset: number | undefined;
  /** `_from`/`_resolved`-style hints are ignored; `private` packages are still reported. */
}

export function parseInstalledManifest(text: string): InstalledManifest {
  const doc = parseJsonObject(text);
  return { name: str(doc, 'name'), version: str(doc, 'version'), offset: keyOffset(doc, 'name') };
}
