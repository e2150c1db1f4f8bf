import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../util/log.js';
import { k8sRoutes } from '../k8s/routes.js';
import type { RouteContext } from '../routes/context.js';
import { registryRoutes } from '../routes/registries.js';
import { webhookRoutes } from '../routes/webhooks.js';
import type { JobWorkerOptions } from './job-worker.js';
import { ScanJobWorker } from './job-worker.js';
import type { SecretBox } from '../secret-box.js';
import { RegistryWatcher } from './watch.js';

export interface RegistryOptions {
  /** Seals and opens stored registry credentials (from BULWARK_SECRET_KEY). */
  box?: SecretBox;
  /** Work image scan jobs in this process (the server's own worker); omitted: jobs are only queued. */
  jobs?: Omit<JobWorkerOptions, 'box' | 'log'>;
  /** Poll watched registries (catalog + tags list) every this many ms (default 60 s); 0: no watching. */
  watchTickMs?: number;
  /** Cache dir for the watcher's registry client (default: the jobs' cacheDir); without either, no watching. */
  cacheDir?: string;
}

function pinoLogger(app: FastifyInstance): Logger {
  return {
    debug: (m) => app.log.debug(m),
    info: (m) => app.log.info(m),
    warn: (m) => app.log.warn(m),
    error: (m) => app.log.error(m),
  };
}

/** Registers the registry and webhook routes and, when asked, the job worker and the registry watcher. */
export async function installRegistry(app: FastifyInstance, ctx: RouteContext, opts: RegistryOptions | undefined): Promise<ScanJobWorker | undefined> {
  const log = pinoLogger(app);
  const worker = opts?.jobs ? new ScanJobWorker(ctx.store, { ...opts.jobs, box: opts.box, log, onQueued: () => ctx.worker?.notify() }) : undefined;
  const wakeJobs = (): void => worker?.notify();
  const deps = { box: opts?.box, wakeJobs };
  await app.register(registryRoutes(ctx, deps));
  await app.register(webhookRoutes(ctx, deps));
  await app.register(k8sRoutes(ctx));
  const tick = opts?.watchTickMs ?? 60_000;
  const watchCache = opts?.cacheDir ?? opts?.jobs?.cacheDir;
  const watcher = watchCache !== undefined && tick > 0 ? new RegistryWatcher(ctx.store, { box: opts?.box, log, tickMs: tick, onQueued: wakeJobs, cacheDir: watchCache }) : undefined;
  app.addHook('onReady', async () => {
    worker?.start();
    watcher?.start();
  });
  app.addHook('onClose', async () => {
    await watcher?.stop();
    await worker?.stop();
  });
  return worker;
}
