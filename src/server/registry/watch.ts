import { describeError } from '../../core/errors.js';
import { RegistryClient } from '../../source/registry/client.js';
import type { Logger } from '../../util/log.js';
import type { RegistryRow } from '../store/registries.js';
import type { Store } from '../store/store.js';
import { queueImage } from './queue-image.js';
import { accessOf } from './registry-config.js';
import type { RegistryAccess } from './registry-config.js';
import { projectFor } from './rules.js';
import type { SecretBox } from '../secret-box.js';

export interface WatchOptions {
  box: SecretBox | undefined;
  log: Logger;
  /** How often due registries are looked for. */
  tickMs: number;
  cacheDir: string;
  onQueued: () => void;
  /** Most repositories / tags read per registry per listing (default 10,000 each). */
  maxEntries?: number;
}

function client(a: RegistryAccess, repository: string, cacheDir: string): RegistryClient {
  // Only the registry's stored credentials: never the server user's docker config or environment.
  return new RegistryClient({ registry: a.host, repository }, { insecure: a.insecure, cacheDir, username: a.username, password: a.password, env: {}, dockerConfigPath: '/nonexistent' });
}

/** The `Link: <…?n=…&last=…>; rel="next"` of a paginated catalog or tags list, as a path. */
function nextPage(link: string | null): string | undefined {
  const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  if (!m) return undefined;
  const u = new URL(m[1]!, 'http://x');
  return u.pathname.startsWith('/v2/') ? u.pathname + u.search : undefined;
}

/** A catalog or tags page larger than this is refused. */
const MAX_LISTING_BYTES = 64 * 1024 * 1024;

async function listAll(c: RegistryClient, first: string, key: 'repositories' | 'tags', what: string, max: number): Promise<string[]> {
  const out: string[] = [];
  let path: string | undefined = first;
  while (path && out.length < max) {
    const res = await c.get(path, 'application/json', what);
    if (!res.ok) {
      res.discard();
      throw new Error(`${what}: HTTP ${res.status}`);
    }
    const body = (await res.json(MAX_LISTING_BYTES)) as Record<string, unknown>;
    const list = body[key];
    if (list !== null && list !== undefined && !Array.isArray(list)) throw new Error(`${what}: "${key}" is not a list`);
    for (const v of list ?? []) if (typeof v === 'string') out.push(v);
    path = nextPage(res.header('link') ?? null);
  }
  return out.slice(0, max);
}

/**
 * Lists a registry (catalog, then each matching repository's tags), resolves each tag to its manifest digest
 * and queues what has not been seen. Returns how many jobs were queued.
 */
export async function watchRegistry(store: Store, row: RegistryRow, opts: Omit<WatchOptions, 'tickMs' | 'onQueued'>): Promise<number> {
  const a = accessOf(row, opts.box);
  const max = opts.maxEntries ?? 10_000;
  const repos = await listAll(client(a, 'catalog', opts.cacheDir), '/v2/_catalog?n=1000', 'repositories', `catalog of ${a.host}`, max);
  let queued = 0;
  for (const repository of repos) {
    if (!projectFor(a.rules, repository)) continue;
    const c = client(a, repository, opts.cacheDir);
    const tags = await listAll(c, `/v2/${repository}/tags/list?n=1000`, 'tags', `tags of ${a.host}/${repository}`, max);
    for (const tag of tags) {
      const m = await c.getManifest(tag);
      const r = await queueImage(store, row, { repository, digest: m.digest, tag }, 'watch');
      if (r.kind === 'queued') queued++;
    }
  }
  await store.registries.watched(row.id);
  return queued;
}

/** Polls the registries that have a watch interval, each when it is due. */
export class RegistryWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly opts: WatchOptions,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.tick().finally(() => (this.running = undefined));
    }, this.opts.tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async tick(): Promise<void> {
    let due: RegistryRow[];
    try {
      due = await this.store.registries.dueForWatch(new Date());
    } catch (e) {
      this.opts.log.warn(`registry watch: cannot read the store: ${describeError(e)}`);
      return;
    }
    for (const row of due) {
      try {
        const n = await watchRegistry(this.store, row, this.opts);
        if (n > 0) this.opts.onQueued();
        this.opts.log.info(`registry watch ${row.name}: ${n} new image digest(s) queued`);
      } catch (e) {
        this.opts.log.warn(`registry watch ${row.name}: ${describeError(e)}`);
      }
    }
  }
}
