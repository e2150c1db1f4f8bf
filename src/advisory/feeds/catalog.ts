import type { AnyFeedDefinition } from './types.js';
import { nvdFeed } from './nvd/feed.js';
import { OSV_ECOSYSTEMS, osvFeed } from './osv/feed.js';
import { ALPINE_RELEASES, alpineFeed, debianListFeed, debianTrackerFeed } from './distro-feeds.js';

/** Options that change which feeds exist (Alpine releases are listed from a directory mirror). */
export interface CatalogOptions {
  alpineReleases?: readonly string[];
}

/** Every feed Bulwark knows, in import order. The explicit registry of feeds. */
export function feedCatalog(opts: CatalogOptions = {}): AnyFeedDefinition[] {
  return [
    ...OSV_ECOSYSTEMS.map((e) => osvFeed(e)),
    ...(opts.alpineReleases ?? ALPINE_RELEASES).map((r) => alpineFeed(r)),
    debianTrackerFeed(),
    debianListFeed('DSA'),
    debianListFeed('DLA'),
    nvdFeed(),
  ];
}

/** The feeds answering to any of the selectors; all feeds when no selector is given. */
export function selectFeeds<F extends AnyFeedDefinition>(feeds: readonly F[], selectors: readonly string[] | undefined): F[] {
  if (!selectors || selectors.length === 0) return [...feeds];
  return feeds.filter((f) => selectors.some((s) => f.covers(s)));
}
