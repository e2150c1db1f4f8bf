/** package.json of an installed package: its name and version. Pure. */
import { isObject, keyOffset, parseJson, str } from '../../formats/json.js';
import { FormatError } from '../../formats/error.js';

export interface InstalledManifest {
  name: string | undefined;
  version: string | undefined;
  /** Offset of the "version" key, for the location line. */
  offset: number | undefined;
  /** `_from`/`_resolved`-style hints are ignored; `private` packages are still reported. */
}

export function parseInstalledManifest(text: string): InstalledManifest {
  let doc;
  try {
    doc = parseJson(text);
  } catch (e) {
    throw new FormatError(`invalid JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new FormatError('top level is not an object');
  return { name: str(doc, 'name'), version: str(doc, 'version'), offset: keyOffset(doc, 'name') };
}
