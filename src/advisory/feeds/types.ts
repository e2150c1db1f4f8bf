import type { AdvisoryDbWriter, FeedItem, FeedState } from '../store/writer.js';
import type { FeedSource } from '../inputs.js';
import type { Logger } from '../../util/log.js';
import type { ProgressReporter } from '../../util/progress.js';

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

/** What a feed that fetches and writes by itself (NVD: paged API, incremental updates) is given. */
export interface SyncContext {
  source: FeedSource;
  /** The feed's state after its last update; undefined when the database is built from scratch. */
  previous: FeedState | undefined;
  cacheDir: string;
  /** The database copy being built (opened on first use). */
  writer(): AdvisoryDbWriter;
  progress: ProgressReporter;
  log: Logger;
  now(): Date;
  attempts?: number;
  backoffMs?: number;
}

export type SyncOutcome =
  | { result: 'missing'; location: string }
  | { result: 'unchanged'; location: string }
  | {
      result: 'imported';
      location: string;
      /** Records the feed holds after the update. */
      records: number;
      skipped: number;
      skippedSample: string[];
      digest?: string;
      cursor?: string;
    };

/** A feed that is not a set of files: it fetches, reads and writes itself (NVD CVE API 2.0). */
export interface SyncFeedDefinition {
  readonly id: string;
  readonly kind: 'nvd';
  covers(selector: string): boolean;
  sync(ctx: SyncContext): Promise<SyncOutcome>;
}

export type AnyFeedDefinition = FeedDefinition | SyncFeedDefinition;

export function isSyncFeed(feed: AnyFeedDefinition): feed is SyncFeedDefinition {
  return 'sync' in feed;
}
