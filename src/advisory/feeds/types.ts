import type { FeedItem } from '../store/writer.js';

/** One file a feed reads, named by its path in the mirror layout (`osv/npm/all.zip`). */
export interface FeedInput {
  rel: string;
  /** Upstream URL used when no --source is given. */
  upstream: string;
  /** A feed still imports when an optional input is missing (Alpine community.json). */
  optional?: boolean;
}

/**
 * A feed: one independently stored, updated and aged unit of advisory data (one OSV ecosystem export,
 * one Alpine release, one Debian source).
 */
export interface FeedDefinition {
  readonly id: string;
  readonly kind: 'osv' | 'alpine-secdb' | 'debian-tracker' | 'debian-list';
  readonly inputs: readonly FeedInput[];
  /** Whether the feed holds data for an ecosystem selector: "npm", "Alpine", "Alpine:v3.11", "Debian:12". */
  covers(selector: string): boolean;
  /** Parses the fetched inputs (rel → local path); only present inputs are in the map. */
  read(files: ReadonlyMap<string, string>): AsyncIterable<FeedItem>;
}
