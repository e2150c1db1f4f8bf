/** Pipfile.lock (pipenv): JSON with `default` and `develop` sections. Pure: text in, records out. */
import { isObject, keyOffset, parseJson } from '../../formats/json.js';
import { FormatError } from '../../formats/error.js';

export interface PipfileLockEntry {
  name: string;
  /** Without the `==`; undefined for git / path / editable entries. */
  version: string | undefined;
  dev: boolean;
  offset: number | undefined;
  /** What the entry points at when it has no version (git URL, path). */
  reference: string | undefined;
}

export function parsePipfileLock(text: string): PipfileLockEntry[] {
  let doc;
  try {
    doc = parseJson(text);
  } catch (e) {
    throw new FormatError(`invalid JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new FormatError('top level is not an object');
  if (!isObject(doc['_meta']) && !isObject(doc['default']) && !isObject(doc['develop'])) {
    throw new FormatError('neither _meta, default nor develop: not a Pipfile.lock');
  }
  const out: PipfileLockEntry[] = [];
  for (const [section, dev] of [['default', false], ['develop', true]] as const) {
    const sec = doc[section];
    if (!isObject(sec)) continue;
    for (const [name, entry] of Object.entries(sec)) {
      if (!isObject(entry)) continue;
      const v = typeof entry['version'] === 'string' ? entry['version'] : undefined;
      const ref = ['git', 'path', 'file', 'url'].map((k) => entry[k]).find((x) => typeof x === 'string') as string | undefined;
      out.push({ name, version: v?.replace(/^===?\s*/, ''), dev, offset: keyOffset(sec, name), reference: ref });
    }
  }
  return out;
}
