import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from 'fastify';
import Fastify from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { VERSION } from '../version.js';
import { installAuth } from './auth.js';
import { warmValidator } from './ingest/validate.js';
import { createReportChecker } from './ingest/checker.js';
import { HttpError, StoreUnavailableError, TooManyRequestsError } from './errors.js';
import { registerDashboard } from './static.js';
import { ReadModel } from './store/queries.js';
import { isStoreUnavailable } from './store/outage.js';
import type { Store } from './store/store.js';
import type { WorkerOptions } from './worker.js';
import { IngestWorker } from './worker.js';
import type { IngestLimits, RouteContext } from './routes/context.js';
import { adminRoutes } from './routes/admin.js';
import { authRoutes } from './routes/auth.js';
import { channelRoutes } from './routes/channels.js';
import { mergeRequestRoutes } from './routes/merge-requests.js';
import type { NotifierOptions } from './notify/notifier.js';
import { Notifier } from './notify/notifier.js';
import type { MergeRequestNotifierOptions } from './notify/mr-notes.js';
import { MergeRequestNotifier } from './notify/mr-notes.js';
import { SecretBox } from './secret-box.js';
import { findingRoutes } from './routes/findings.js';
import { healthRoutes } from './routes/health.js';
import { projectRoutes } from './routes/projects.js';
import { reportRoutes } from './routes/reports.js';
import { searchRoutes } from './routes/search.js';
import type { RegistryOptions } from './registry/install.js';
import { installRegistry } from './registry/install.js';
import { eventRoutes } from './routes/events.js';
import { monitorRoutes } from './routes/monitor.js';
import { exportRoutes } from './routes/export.js';
import type { MonitorOptions } from './monitor/monitor.js';
import { Monitor } from './monitor/monitor.js';
import { BulkClient } from '../export/bulk.js';
import type { ExporterOptions } from './export/exporter.js';
import { ServerExporter } from './export/exporter.js';

export { isStoreUnavailable } from './store/outage.js';

export interface AppOptions {
  store: Store;
  /** Fastify logger: true/options for pino on stderr, false for none (tests). */
  logger?: FastifyServerOptions['logger'] | false;
  /** Largest accepted report body in bytes (default 32 MiB). */
  maxReportBytes?: number;
  /** Uploads in flight per ingest token (default 2) and in total (default 4). */
  uploadsPerToken?: number;
  uploadsTotal?: number;
  /** Requests per minute per credential (or per client address without one); default 600. 0 turns it off. */
  rateLimitPerMinute?: number;
  /** Time to receive a whole request, headers and body (default 120 s); a trickled upload is cut off after it. */
  requestTimeoutMs?: number;
  /** Threads that parse and validate uploaded reports off the event loop (default 2; 0: on the event loop). */
  validationThreads?: number;
  /** The compiled validation worker, when the default (dist/ beside the package) does not apply: tests. */
  validationWorkerFile?: string;
  /** Run the in-process ingestion worker (default true). */
  worker?: boolean | WorkerOptions;
  /** Dashboard session lifetime (default 12 h). */
  sessionTtlMs?: number;
  /**
   * Trust X-Forwarded-For/-Proto/-Host from these proxies (Fastify's trustProxy: true, or addresses/CIDRs). Off by default: the client address and protocol are the socket's.
   */
  trustProxy?: boolean | string | string[];
  /** Serve HTTPS directly with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Registries, webhooks and image scan jobs (issue 15). */
  registry?: RegistryOptions;
  /** Run the notifier over this event feed (secrets sealed with BULWARK_SECRET_KEY, which must then be set). */
  notify?: Omit<NotifierOptions, 'secrets' | 'log' | 'feed'> & {
    feed?: NotifierOptions['feed'];
    /** Merge-request notes (with the monitor: its advisory database and profiles decide the gate). */
    mergeRequests?: Omit<MergeRequestNotifierOptions, 'secrets' | 'reader' | 'policyFor' | 'log'>;
  };
  /** Continuous monitoring (advisory database, re-matching, lifecycle events); off when absent. */
  monitor?: MonitorOptions;
  /** The sink of the monitoring events to Elasticsearch/OpenSearch (`--export-url`); off when absent. */
  export?: ExportSinkOptions;
}

export interface ExportSinkOptions extends Omit<ExporterOptions, 'log' | 'version'> {
  /** The cluster's base URL, without credentials. */
  url: string;
  /** `Authorization` header (from the environment; never logged). */
  authorization?: string;
  /** Tries per `_bulk` request on 429/5xx/network faults (default 6), first back-off delay (default 500 ms). */
  maxAttempts?: number;
  baseDelayMs?: number;
  fetch?: typeof fetch;
}

export const DEFAULT_MAX_REPORT_BYTES = 32 * 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

function serverOptions(opts: AppOptions): FastifyServerOptions & { https?: unknown } {
  const requestTimeout = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Node checks request timeouts every connectionsCheckingInterval: a fraction of the timeout, so a trickled
  // upload is closed soon after its time is up.
  const timing = { requestTimeout, headersTimeout: Math.min(requestTimeout, 30_000), connectionsCheckingInterval: Math.max(250, Math.min(5000, Math.floor(requestTimeout / 4))) };
  return {
    logger: opts.logger === undefined ? { level: 'info', stream: process.stderr } : opts.logger,
    trustProxy: opts.trustProxy ?? false,
    requestTimeout,
    connectionTimeout: requestTimeout + 5000,
    keepAliveTimeout: 5000,
    ...(opts.tls ? { https: { ...timing, cert: opts.tls.cert, key: opts.tls.key } } : { http: timing }),
  };
}

export async function buildApp(opts: AppOptions): Promise<{ app: FastifyInstance; worker: IngestWorker | undefined; monitor: Monitor | undefined; exporter: ServerExporter | undefined }> {
  const { store } = opts;
  const limits: IngestLimits = {
    maxReportBytes: opts.maxReportBytes ?? DEFAULT_MAX_REPORT_BYTES,
    uploadsPerToken: opts.uploadsPerToken ?? 2,
    uploadsTotal: opts.uploadsTotal ?? 4,
  };
  warmValidator();
  const app = Fastify(serverOptions(opts)) as unknown as FastifyInstance;
  const worker = opts.worker === false ? undefined : new IngestWorker(store, { ...(typeof opts.worker === 'object' ? opts.worker : {}), log: app.log as FastifyBaseLogger });
  const monitor = opts.monitor ? new Monitor(store, { ...opts.monitor, log: app.log as FastifyBaseLogger }) : undefined;
  const ctx: RouteContext = { store, read: new ReadModel(store), worker, limits, sessionTtlMs: opts.sessionTtlMs ?? 12 * 3600 * 1000 };

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    // HSTS only when the request came over HTTPS (directly, or through a trusted proxy that says so).
    if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
  });
  installAuth(app, store);

  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof HttpError) {
      if (err instanceof StoreUnavailableError || err instanceof TooManyRequestsError) reply.header('retry-after', String(err.retryAfter));
      if (err instanceof StoreUnavailableError) req.log.warn({ err: err.cause instanceof Error ? err.cause.message : String(err.cause) }, 'store unavailable');
      return reply.code(err.status).send({ error: { code: err.apiCode, message: err.message, ...(err.details ? { details: err.details } : {}) } });
    }
    if (isStoreUnavailable(err)) {
      req.log.warn({ err: err.message }, 'store unavailable');
      return reply.code(503).header('retry-after', '5').send({ error: { code: 'store_unavailable', message: 'the store is unavailable; retry later' } });
    }
    const status = err.statusCode;
    if (status === 413) return reply.code(413).send({ error: { code: 'report_too_large', message: `the body exceeds ${limits.maxReportBytes} bytes; nothing was stored` } });
    if (status === 415) return reply.code(415).send({ error: { code: 'unsupported_media_type', message: err.message } });
    if (status === 408) return reply.code(408).send({ error: { code: 'invalid_request', message: 'the request took too long to arrive' } });
    if (status !== undefined && status >= 400 && status < 500) return reply.code(status).send({ error: { code: 'invalid_request', message: err.message } });
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });

  // The OpenAPI document is generated from the routes' schemas.
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Bulwark server API', version: VERSION, description: 'Errors are {"error": {"code", "message", "details"?}} with stable codes.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'user API key bwk_…' },
          ingestToken: { type: 'http', scheme: 'bearer', description: 'project ingest token bwi_… (POST /api/v1/reports only)' },
          session: { type: 'apiKey', in: 'cookie', name: 'bulwark_session' },
        },
      },
    },
    hideUntagged: true,
  });

  const perMinute = opts.rateLimitPerMinute ?? 600;
  if (perMinute > 0) {
    await app.register(rateLimit, {
      max: perMinute,
      timeWindow: 60_000,
      // After authentication: one bucket per credential, or per client address without one.
      keyGenerator: (req) => {
        const p = req.principal;
        if (p?.kind === 'user') return `user:${p.userId}`;
        if (p?.kind === 'ingest') return `token:${p.tokenId}`;
        return `ip:${req.ip}`;
      },
      errorResponseBuilder: (_req, context) => new TooManyRequestsError(`more than ${context.max} requests per minute for this credential`, Math.max(1, Math.ceil(context.ttl / 1000))),
    });
  }

  await app.register(healthRoutes(ctx));
  await app.register(authRoutes(ctx));
  const checker = createReportChecker(opts.validationThreads ?? 2, opts.validationWorkerFile);
  app.log.debug({ mode: checker.mode }, 'report validation');
  await app.register(reportRoutes(ctx, checker));
  await app.register(projectRoutes(ctx));
  await app.register(findingRoutes(ctx));
  await app.register(searchRoutes(ctx));
  await app.register(adminRoutes(ctx));
  await installRegistry(app, ctx, opts.registry);
  await app.register(channelRoutes(ctx));
  await app.register(mergeRequestRoutes(ctx));
  await app.register(eventRoutes(ctx));
  await app.register(monitorRoutes(ctx, monitor));
  // The sink reads the same outbox as the notifier, with its own cursor (export_cursors).
  const exporter = opts.export ? exporterOf(store, opts.export, app.log) : undefined;
  await app.register(exportRoutes(ctx, exporter));

  app.get('/api/v1/openapi.json', { config: { auth: 'public' } }, async () => app.swagger());
  registerDashboard(app);

  // The notifier reads the monitoring events outbox (store.events) unless a feed is given (tests).
  const secrets = opts.notify ? SecretBox.fromEnv() : undefined;
  const notifier = opts.notify && secrets ? new Notifier(store, {
        ...opts.notify,
        feed: opts.notify.feed ?? store.events,
        // Rules from the security profiles the monitor syncs (`notify:`), beside the channels' own.
        profileRules: opts.notify.profileRules ?? (monitor ? () => monitor.profiles.notifyRules() : undefined),
        secrets,
        log: app.log,
      }) : undefined;
  notifier?.start();
  // Merge-request notes need the monitor: the server's advisory database and the projects' policies.
  const mrNotes =
    opts.notify && secrets && monitor
      ? new MergeRequestNotifier(store, { ...opts.notify.mergeRequests, secrets, reader: () => monitor.advisoryReader, policyFor: (p) => monitor.profiles.policyFor(p), log: app.log })
      : undefined;
  mrNotes?.start();

  app.addHook('onClose', async () => {
    await exporter?.stop();
    await notifier?.stop();
    await mrNotes?.stop();
    await worker?.stop();
    await monitor?.stop();
    await checker.close();
  });
  return { app, worker, monitor, exporter };
}

function exporterOf(store: Store, o: ExportSinkOptions, log: FastifyBaseLogger): ServerExporter {
  const { url, authorization, maxAttempts, baseDelayMs, fetch: fetchImpl, ...rest } = o;
  const client = new BulkClient({
    url,
    ...(authorization ? { authorization } : {}),
    ...(maxAttempts !== undefined ? { maxAttempts } : {}),
    ...(baseDelayMs !== undefined ? { baseDelayMs } : {}),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
    onRetry: ({ attempt, delayMs, reason }) => log.warn({ attempt, delayMs, reason }, 'export _bulk request failed; retrying'),
  });
  return new ServerExporter(store, client, { ...rest, version: VERSION, log });
}
