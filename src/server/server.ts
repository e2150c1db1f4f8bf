import { BulwarkError } from '../core/errors.js';
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from './app.js';
import { buildApp } from './app.js';
import { API_KEY_PREFIX, newSecret } from './auth.js';
import { Store } from './store/store.js';
import type { StoreOptions } from './store/store.js';
import type { IngestWorker } from './worker.js';
import type { Monitor } from './monitor/monitor.js';
import type { ServerExporter } from './export/exporter.js';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  worker: IngestWorker | undefined;
  monitor: Monitor | undefined;
  exporter: ServerExporter | undefined;
  url: string;
  close(): Promise<void>;
}

/** Opens the store (running migrations), builds the app, starts the worker and listens. */
export async function startServer(
  opts: StoreOptions & Omit<AppOptions, 'store'> & { port?: number; host?: string },
): Promise<RunningServer> {
  const store = await Store.open(opts);
  const { app, worker, monitor, exporter } = await buildApp({ ...opts, store });
  store.onConnectionError = (err) => app.log.warn({ err: err.message }, 'database connection lost; the pool reconnects');
  try {
    await app.listen({ port: opts.port ?? 8080, host: opts.host ?? '127.0.0.1' });
  } catch (e) {
    await app.close();
    await store.close();
    throw e;
  }
  worker?.start();
  await monitor?.start();
  exporter?.start();
  const addr = app.server.address();
  const scheme = opts.tls ? 'https' : 'http';
  const url = typeof addr === 'object' && addr ? `${scheme}://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}` : String(addr);
  let closed = false;
  return {
    app,
    store,
    worker,
    monitor,
    exporter,
    url,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await store.close();
    },
  };
}

/** Creates the first admin; refuses when an admin exists already. Returns the API key (shown once). */
export async function initServer(opts: StoreOptions & { adminName?: string }): Promise<{ name: string; apiKey: string }> {
  const store = await Store.open(opts);
  try {
    if ((await store.identity.countAdmins()) > 0) {
      throw new AdminExistsError();
    }
    const name = opts.adminName ?? 'admin';
    const key = newSecret(API_KEY_PREFIX);
    await store.identity.createUser(name, 'admin', key.hash);
    return { name, apiKey: key.secret };
  } finally {
    await store.close();
  }
}

export class AdminExistsError extends BulwarkError {
  constructor() {
    super('BULWARK_E_USAGE', 'this server already has an admin', {
      hint: 'an admin creates more users with POST /api/v1/users; to start over, use an empty --data-dir or database',
    });
  }
}
