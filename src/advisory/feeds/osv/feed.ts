import type { FeedItem } from '../../store/writer.js';
import type { FeedDefinition } from '../types.js';
import { OsvRecordError, parseOsvRecord } from './parse.js';
import { readZipJsonEntries } from './zip.js';

export const OSV_UPSTREAM = 'https://osv-vulnerabilities.storage.googleapis.com';

/** OSV ecosystems Bulwark can match: language ecosystems and distros. Their exports are `<Ecosystem>/all.zip`. */
export const OSV_ECOSYSTEMS = [
  'npm',
  'PyPI',
  'Go',
  'crates.io',
  'RubyGems',
  'Maven',
  'NuGet',
  'Packagist',
  'Pub',
  'Hex',
  'SwiftURL',
  'ConanCenter',
  'Debian',
  'Ubuntu',
  'Alpine',
  'Rocky Linux',
  'AlmaLinux',
  'Red Hat',
  'SUSE',
  'openSUSE',
  'Wolfi',
  'Chainguard',
] as const;

async function* readOsvZip(path: string, rel: string, ecosystem: string, source: string): AsyncGenerator<FeedItem> {
  for await (const entry of readZipJsonEntries(path)) {
    let doc: unknown;
    try {
      doc = JSON.parse(entry.text);
    } catch (e) {
      yield { skipped: true, where: `${rel}:${entry.name}`, reason: `not JSON (${(e as Error).message})` };
      continue;
    }
    try {
      yield parseOsvRecord(doc, { ecosystem, source });
    } catch (e) {
      if (e instanceof OsvRecordError) yield { skipped: true, where: `${rel}:${entry.name}`, reason: `not an OSV entry: ${e.message}` };
      else throw e;
    }
  }
}

export function osvFeed(ecosystem: string): FeedDefinition {
  const rel = `osv/${ecosystem}/all.zip`;
  const source = `osv:${ecosystem}`;
  return {
    id: `osv/${ecosystem}`,
    kind: 'osv',
    inputs: [{ rel, upstream: `${OSV_UPSTREAM}/${encodeURIComponent(ecosystem)}/all.zip` }],
    covers: (selector) => selector === ecosystem || selector.startsWith(`${ecosystem}:`),
    read(files) {
      const path = files.get(rel);
      if (!path) throw new Error(`${rel} was not fetched`);
      return readOsvZip(path, rel, ecosystem, source);
    },
  };
}
