import type { KubeConfig } from '@kubernetes/client-node';
import { Watch } from '@kubernetes/client-node';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../util/log.js';
import { projectId, queueImage } from '../registry/queue-image.js';
import type { Store } from '../store/store.js';
import type { ImageUse } from './inventory.js';
import { k8sInventory } from './inventory.js';

export interface CollectOptions {
  /** Names the cluster in the stored workload map. */
  cluster: string;
  /** Project of images from registries that are not configured (pulled anonymously). */
  project: string;
}

export interface CollectResult {
  containers: number;
  queued: number;
  known: number;
  unresolved: number;
}

/**
 * Queues each running digest once and records which namespace/workload/container runs it. An image from a
 * configured registry is pulled with its credentials and its project rules apply; any other image goes to
 * `opts.project` and is pulled anonymously.
 */
export async function collectUses(store: Store, uses: readonly ImageUse[], opts: CollectOptions): Promise<CollectResult> {
  const registries = new Map((await store.registries.list()).map((r) => [r.url, r]));
  const result: CollectResult = { containers: uses.length, queued: 0, known: 0, unresolved: 0 };
  for (const u of uses) {
    if (!u.digest || !u.registry || !u.repository) {
      result.unresolved++;
      continue;
    }
    const repository = u.repository.slice(u.registry.length + 1);
    const row = registries.get(u.registry);
    let jobId: number;
    let created: boolean;
    const viaRegistry = row ? await queueImage(store, row, { repository, digest: u.digest, tag: null }, 'k8s') : undefined;
    if (viaRegistry && viaRegistry.kind !== 'no-project') {
      jobId = viaRegistry.jobId;
      created = viaRegistry.kind === 'queued';
    } else {
      const r = await store.scanJobs.enqueue({ registryId: null, image: u.repository, repository, digest: u.digest, projectId: await projectId(store, opts.project), source: 'k8s' });
      jobId = r.id;
      created = r.created;
    }
    if (created) result.queued++;
    else result.known++;
    await store.k8sWorkloads.record({ cluster: opts.cluster, namespace: u.namespace, workloadKind: u.workload.kind, workloadName: u.workload.name, container: u.container, image: u.image, digest: u.digest, jobId });
  }
  return result;
}

export interface CollectorOptions extends CollectOptions {
  namespace?: string;
  /** Full listing every this many ms (default 5 min). */
  intervalMs?: number;
  log: Logger;
  onQueued?: () => void;
}

/**
 * The server-side collector: lists what runs on an interval and, between listings, watches pods
 * (`/api/v1/pods?watch=true`) so that a new pod is collected within seconds (debounced).
 */
export class K8sCollector {
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private watch: AbortController | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** Listings done (tests, logs). */
  collections = 0;

  constructor(
    private readonly store: Store,
    private readonly kc: KubeConfig,
    private readonly opts: CollectorOptions,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.collect();
    this.timer = setInterval(() => this.trigger(), this.opts.intervalMs ?? 300_000);
    await this.startWatch();
  }

  private async startWatch(): Promise<void> {
    if (this.stopped) return;
    const path = this.opts.namespace ? `/api/v1/namespaces/${encodeURIComponent(this.opts.namespace)}/pods` : '/api/v1/pods';
    try {
      this.watch = await new Watch(this.kc).watch(
        path,
        { allowWatchBookmarks: true },
        (phase) => {
          if (phase === 'ADDED' || phase === 'MODIFIED') this.schedule();
        },
        (err: unknown) => {
          if (err) this.opts.log.warn(`kubernetes pod watch ended: ${describeError(err)}`);
          if (!this.stopped) setTimeout(() => void this.startWatch(), 2000).unref();
        },
      );
    } catch (e) {
      this.opts.log.warn(`kubernetes pod watch failed: ${describeError(e)}`);
      if (!this.stopped) setTimeout(() => void this.startWatch(), 5000).unref();
    }
  }

  private schedule(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.trigger(), 500);
  }

  private trigger(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.collect().then(() => undefined).finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.trigger();
      }
    });
  }

  async collect(): Promise<CollectResult | undefined> {
    try {
      const uses = await k8sInventory(this.kc, this.opts.namespace ? { namespace: this.opts.namespace } : {});
      const r = await collectUses(this.store, uses, this.opts);
      this.collections++;
      if (r.queued > 0) this.opts.onQueued?.();
      this.opts.log.info(`kubernetes ${this.opts.cluster}: ${r.containers} container(s), ${r.queued} new digest(s) queued, ${r.known} known, ${r.unresolved} without a digest`);
      return r;
    } catch (e) {
      this.opts.log.warn(`kubernetes ${this.opts.cluster}: listing failed: ${describeError(e)}`);
      return undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    this.watch?.abort();
    await this.running;
  }
}
