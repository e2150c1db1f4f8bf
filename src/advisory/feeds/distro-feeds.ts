import fs from 'node:fs';
import type { FeedItem } from '../store/writer.js';
import { parseAlpineSecdb } from './alpine/index.js';
import { parseDebianAdvisoryList, parseDebianTrackerJson } from './debian/index.js';
import type { DebianAdvisoryKind } from './debian/index.js';
import type { FeedDefinition } from './types.js';

export const ALPINE_SECDB_UPSTREAM = 'https://secdb.alpinelinux.org';
export const DEBIAN_TRACKER_JSON_UPSTREAM = 'https://security-tracker.debian.org/tracker/data/json';
export const DEBIAN_TRACKER_REPO_UPSTREAM = 'https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master';

/** Alpine releases secdb publishes; a directory mirror lists its own instead. */
export const ALPINE_RELEASES: readonly string[] = [
  ...Array.from({ length: 21 }, (_, i) => `v3.${i + 2}`),
  'edge',
];

const ALPINE_REPOS = ['main', 'community'] as const;

export function alpineFeed(release: string): FeedDefinition {
  const ecosystem = `Alpine:${release}`;
  const inputs = ALPINE_REPOS.map((repo) => ({
    rel: `alpine/${release}/${repo}.json`,
    upstream: `${ALPINE_SECDB_UPSTREAM}/${release}/${repo}.json`,
    optional: true,
  }));
  return {
    id: `alpine/${release}`,
    kind: 'alpine-secdb',
    inputs,
    covers: (selector) => selector === 'Alpine' || selector === ecosystem,
    async *read(files): AsyncGenerator<FeedItem> {
      for (const input of inputs) {
        const path = files.get(input.rel);
        if (!path) continue;
        let json: unknown;
        try {
          json = JSON.parse(fs.readFileSync(path, 'utf8'));
        } catch (e) {
          throw new Error(`${input.rel} is not JSON: ${(e as Error).message}`, { cause: e });
        }
        const { records, skipped } = parseAlpineSecdb(json, input.rel);
        yield* skipped;
        yield* records;
      }
    },
  };
}

const coversDebian = (selector: string): boolean => selector === 'Debian' || selector.startsWith('Debian:');

export function debianTrackerFeed(): FeedDefinition {
  const rel = 'debian/json';
  return {
    id: 'debian/tracker',
    kind: 'debian-tracker',
    inputs: [{ rel, upstream: DEBIAN_TRACKER_JSON_UPSTREAM }],
    covers: coversDebian,
    read(files) {
      const path = files.get(rel)!;
      return parseDebianTrackerJson(fs.createReadStream(path, { highWaterMark: 1 << 20 }), { where: rel });
    },
  };
}

export function debianListFeed(kind: Exclude<DebianAdvisoryKind, 'DTSA'>): FeedDefinition {
  const rel = `debian/data/${kind}/list`;
  return {
    id: `debian/${kind.toLowerCase()}`,
    kind: 'debian-list',
    inputs: [{ rel, upstream: `${DEBIAN_TRACKER_REPO_UPSTREAM}/data/${kind}/list` }],
    covers: coversDebian,
    async *read(files): AsyncGenerator<FeedItem> {
      const { records, skipped } = parseDebianAdvisoryList(fs.readFileSync(files.get(rel)!, 'utf8'), kind, rel);
      yield* skipped;
      yield* records;
    },
  };
}
