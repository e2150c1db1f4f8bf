import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { FileError, UsageError } from '../../core/errors.js';
import { initServer, startServer } from '../../server/server.js';
import { DEFAULT_MAX_REPORT_BYTES, DEFAULT_REQUEST_TIMEOUT_MS } from '../../server/app.js';
import type { RegistryOptions } from '../../server/registry/install.js';
import { serverCacheDir } from '../../server/monitor/monitor.js';
import type { CliContext } from '../context.js';
import type { CliCommand } from './index.js';
import { untilStopSignal } from '../signals.js';
import type { ExportSinkOptions } from '../../server/app.js';
import { DEFAULT_INDEX_PREFIX } from '../../export/ecs.js';
import { authorizationFromEnv } from './export.js';

interface StoreCliOptions {
  dataDir?: string;
  database?: string;
}

function storeOptions(opts: StoreCliOptions): { dataDir: string; databaseUrl?: string } {
  const database = opts.database ?? process.env.BULWARK_DATABASE_URL;
  if (!opts.dataDir) throw new UsageError('--data-dir is required', 'pass --data-dir DIR (the SQLite store lives there unless --database is given)');
  if (database && !/^postgres(ql)?:\/\//.test(database)) throw new UsageError(`unsupported --database ${database}`, 'use postgres://user@host:5432/db, or omit it for SQLite in --data-dir');
  return { dataDir: path.resolve(opts.dataDir), ...(database ? { databaseUrl: database } : {}) };
}

function intOption(v: string, name: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} must be a whole number`);
  return Number(v);
}

interface ServeCliOptions extends StoreCliOptions {
  port: string;
  host: string;
  maxReportMb?: string;
  workers: string;
  trustProxy?: string;
  tlsCert?: string;
  tlsKey?: string;
  requestTimeout: string;
  rateLimit: string;
  uploadsPerToken: string;
  uploadsTotal: string;
  validationThreads: string;
  scanWorkers: string;
  offline?: boolean;
  dbRefresh: string;
  dbSource?: string;
  profileRepo?: string;
  profilePoll: string;
  exceptionExpiringWindow: string;
  rematchLease: string;
  rematchBatch: string;
  rematchWorkers: string;
  monitor: boolean;
  notify: boolean;
  exportUrl?: string;
  exportIndexPrefix: string;
  exportAuth: 'env' | 'api-key' | 'basic' | 'none';
  exportBatch: string;
  exportInterval: string;
  exportAttempts: string;
}

/** "6h", "30m", "90s", "0" (off) → milliseconds. */
export function durationOption(v: string, name: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(v.trim());
  if (!m) throw new UsageError(`${name} must be a duration such as 6h, 30m, 90s or 0`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 's'] ?? 1000;
  return Number(m[1]) * unit;
}

/** --trust-proxy: "true" (any proxy), or a comma-separated list of addresses/CIDRs (loopback, 10.0.0.0/8, …). */
function trustProxyOption(v: string | undefined): boolean | string[] | undefined {
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  const list = v.split(',').map((x) => x.trim()).filter(Boolean);
  if (list.length === 0) throw new UsageError('--trust-proxy needs true or a list of proxy addresses/CIDRs');
  return list;
}

function readPem(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new FileError(file, `cannot read the TLS ${what}`, { cause: e, hint: 'pass --tls-cert and --tls-key as PEM files' });
  }
}

/** Image scan jobs (issue 15): credentials sealed with BULWARK_SECRET_KEY; jobs worked here unless --scan-workers 0. */
async function registryOptions(ctx: CliContext, opts: ServeCliOptions): Promise<RegistryOptions> {
  const { SecretBox } = await import('../../server/secret-box.js');
  const box = process.env.BULWARK_SECRET_KEY ? SecretBox.fromKey(process.env.BULWARK_SECRET_KEY) : undefined;
  const jobs = intOption(opts.scanWorkers, '--scan-workers') > 0 ? { cacheDir: ctx.cacheDir, offline: opts.offline === true, ...(opts.dbSource ? { dbSource: opts.dbSource } : {}) } : undefined;
  return { cacheDir: ctx.cacheDir, ...(box ? { box } : {}), ...(jobs ? { jobs } : {}) };
}

/**
 * --export-url: the sink of the monitoring events. Credentials come from the environment only (BULWARK_ES_API_KEY,
 * or BULWARK_ES_USERNAME and BULWARK_ES_PASSWORD, as `bulwark export`), never from the URL or the command line.
 */
function exportOptions(opts: ServeCliOptions, env: NodeJS.ProcessEnv): ExportSinkOptions | undefined {
  if (opts.exportUrl === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(opts.exportUrl);
  } catch {
    throw new UsageError(`--export-url ${JSON.stringify(opts.exportUrl)} is not a URL`, 'pass the cluster base URL, e.g. https://es.example.com:9200');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--export-url must be http(s), not ${url.protocol}`);
  if (url.username || url.password) throw new UsageError('--export-url must not carry credentials', 'set BULWARK_ES_API_KEY, or BULWARK_ES_USERNAME and BULWARK_ES_PASSWORD, in the environment');
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(opts.exportIndexPrefix)) throw new UsageError(`--export-index-prefix ${JSON.stringify(opts.exportIndexPrefix)}: Elasticsearch index names are lowercase letters, digits, '.', '_' and '-'`);
  let authorization: string | undefined;
  switch (opts.exportAuth) {
    case 'none':
      break;
    case 'api-key':
      if (!env.BULWARK_ES_API_KEY) throw new UsageError('--export-auth api-key needs BULWARK_ES_API_KEY in the environment');
      authorization = authorizationFromEnv({ BULWARK_ES_API_KEY: env.BULWARK_ES_API_KEY });
      break;
    case 'basic':
      if (!env.BULWARK_ES_USERNAME) throw new UsageError('--export-auth basic needs BULWARK_ES_USERNAME (and BULWARK_ES_PASSWORD) in the environment');
      authorization = authorizationFromEnv({ BULWARK_ES_USERNAME: env.BULWARK_ES_USERNAME, BULWARK_ES_PASSWORD: env.BULWARK_ES_PASSWORD });
      break;
    default:
      authorization = authorizationFromEnv(env);
  }
  const attempts = intOption(opts.exportAttempts, '--export-attempts');
  if (attempts < 1) throw new UsageError('--export-attempts must be 1 or more');
  return {
    url: url.toString().replace(/\/+$/, ''),
    indexPrefix: opts.exportIndexPrefix,
    batchSize: Math.max(1, intOption(opts.exportBatch, '--export-batch')),
    intervalMs: Math.max(100, durationOption(opts.exportInterval, '--export-interval')),
    maxAttempts: attempts,
    ...(authorization ? { authorization } : {}),
  };
}

async function runServe(ctx: CliContext, opts: ServeCliOptions): Promise<number> {
  const port = intOption(opts.port, '--port');
  const workers = intOption(opts.workers, '--workers');
  const maxReportBytes = opts.maxReportMb ? intOption(opts.maxReportMb, '--max-report-mb') * 1024 * 1024 : DEFAULT_MAX_REPORT_BYTES;
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  const tls = opts.tlsCert && opts.tlsKey ? { cert: readPem(opts.tlsCert, 'certificate'), key: readPem(opts.tlsKey, 'key') } : undefined;
  const exportSink = exportOptions(opts, process.env);
  if (exportSink && !opts.monitor) throw new UsageError('--export-url exports the monitoring events: it cannot go with --no-monitor');
  const server = await startServer({
    ...storeOptions(opts),
    port,
    host: opts.host,
    maxReportBytes,
    worker: workers > 0,
    trustProxy: trustProxyOption(opts.trustProxy),
    tls,
    requestTimeoutMs: intOption(opts.requestTimeout, '--request-timeout') * 1000,
    rateLimitPerMinute: intOption(opts.rateLimit, '--rate-limit'),
    uploadsPerToken: Math.max(1, intOption(opts.uploadsPerToken, '--uploads-per-token')),
    uploadsTotal: Math.max(1, intOption(opts.uploadsTotal, '--uploads-total')),
    validationThreads: intOption(opts.validationThreads, '--validation-threads'),
    logger: { level: ctx.debug ? 'debug' : ctx.quiet ? 'warn' : 'info', stream: process.stderr },
    registry: await registryOptions(ctx, opts),
    ...(exportSink ? { export: exportSink } : {}),
    // Notifications follow the monitoring events; channel secrets need BULWARK_SECRET_KEY (docs/notifications).
    ...(opts.monitor && opts.notify && process.env.BULWARK_SECRET_KEY ? { notify: {} } : {}),
    ...(opts.monitor
      ? {
          monitor: {
            cacheDir: serverCacheDir(storeOptions(opts).dataDir),
            dbRefreshMs: durationOption(opts.dbRefresh, '--db-refresh'),
            ...(opts.dbSource !== undefined ? { dbSource: opts.dbSource } : {}),
            ...(opts.profileRepo !== undefined ? { profileRepo: opts.profileRepo } : {}),
            profilePollMs: durationOption(opts.profilePoll, '--profile-poll'),
            expiringWindowMs: durationOption(opts.exceptionExpiringWindow, '--exception-expiring-window'),
            leaseMs: durationOption(opts.rematchLease, '--rematch-lease'),
            batchSize: Math.max(1, intOption(opts.rematchBatch, '--rematch-batch')),
            workJobs: intOption(opts.rematchWorkers, '--rematch-workers') > 0,
          },
        }
      : {}),
  });
  // Extra workers share the queue through leases, like replicas would.
  const { IngestWorker } = await import('../../server/worker.js');
  const extra = Array.from({ length: Math.max(0, workers - 1) }, () => new IngestWorker(server.store, { log: server.app.log }));
  for (const w of extra) w.start();
  ctx.log.info(`bulwark server listening on ${server.url} (store: ${server.store.engine})`);
  if (exportSink) ctx.log.info(`exporting monitoring events to ${new URL(exportSink.url).origin} (indices ${exportSink.indexPrefix}-events-*, ${exportSink.indexPrefix}-findings-*; ${exportSink.authorization ? exportSink.authorization.split(' ')[0] : 'no'} auth)`);
  await untilStopSignal();
  ctx.log.info('shutting down');
  await Promise.all(extra.map((w) => w.stop()))
    .then(() => server.close())
    .catch((e: unknown) => ctx.log.warn(`shutting down: ${e instanceof Error ? e.message : String(e)}`));
  return 0;
}

export const serverCommand: CliCommand = {
  name: 'server',
  register(program: Command, context: () => CliContext) {
    const cmd = program
      .command('server')
      .description('run the Bulwark server: report ingestion from CI, a durable store (SQLite or PostgreSQL), REST API and dashboard')
      .option('--data-dir <dir>', 'where the server keeps its data (the SQLite store unless --database)')
      .option('--database <url>', 'PostgreSQL URL (postgres://user@host:5432/db); env BULWARK_DATABASE_URL')
      .option('--port <n>', 'port to listen on', '8080')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--max-report-mb <n>', `largest accepted report (default ${DEFAULT_MAX_REPORT_BYTES / 1024 / 1024})`)
      .option('--workers <n>', 'in-process ingestion workers (0: only queue; another replica stores)', '1')
      .option('--trust-proxy <proxies>', 'trust X-Forwarded-For/-Proto from these proxies: true, or addresses/CIDRs (comma-separated)')
      .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM; with --tls-key)')
      .option('--tls-key <file>', 'private key of --tls-cert (PEM)')
      .option('--request-timeout <s>', 'seconds to receive a whole request; slower uploads are cut off', String(DEFAULT_REQUEST_TIMEOUT_MS / 1000))
      .option('--rate-limit <n>', 'requests per minute per credential (0: off)', '600')
      .option('--uploads-per-token <n>', 'uploads one ingest token may have in flight', '2')
      .option('--uploads-total <n>', 'uploads in flight over all tokens', '4')
      .option('--validation-threads <n>', 'threads that parse and validate uploads off the event loop (0: on it)', '2')
      .option('--scan-workers <n>', 'work image scan jobs (registry pushes, watches) in this process: 1, or 0 to leave them to `bulwark worker`', '1')
      .option('--offline', 'image scan jobs use the advisory database in the cache as it is')
      .option('--db-refresh <duration>', "refresh the server's advisory database this often (6h, 30m; 0: only on POST /api/v1/admin/db/refresh)", '6h')
      .option('--db-source <url|dir>', "advisory mirror (URL or directory laid out like upstream), as bulwark db update --source: the server's advisory database and image scan jobs refresh from it")
      .option('--profile-repo <dir|git-url>', 'security-profile repository: exceptions, gate and expiry as the CLI applies them')
      .option('--profile-poll <duration>', 'poll the profile repository this often (0: only on POST /api/v1/admin/profiles/sync)', '5m')
      .option('--exception-expiring-window <duration>', 'emit exception-expiring for findings whose profile exception expires within this (0: never)', '7d')
      .option('--rematch-lease <duration>', 're-match jobs a worker leased come back to the queue after this long if it died', '2m')
      .option('--rematch-batch <n>', 're-match jobs leased at a time', '50')
      .option('--rematch-workers <n>', 'work re-match jobs in this process: 1, or 0 to leave them to `bulwark worker --rematch`', '1')
      .option('--no-monitor', 'no advisory database, re-matching or lifecycle events (ingestion only)')
      .option('--export-url <url>', 'send the monitoring events and the findings they concern to this Elasticsearch/OpenSearch cluster (_bulk), resuming from a cursor kept in the store')
      .option('--export-index-prefix <prefix>', 'indices <prefix>-events-YYYY.MM.DD and <prefix>-findings-YYYY.MM.DD', DEFAULT_INDEX_PREFIX)
      .addOption(new Option('--export-auth <kind>', 'credentials from the environment: env (whichever is set), api-key (BULWARK_ES_API_KEY), basic (BULWARK_ES_USERNAME, BULWARK_ES_PASSWORD), none').choices(['env', 'api-key', 'basic', 'none']).default('env'))
      .option('--export-batch <n>', 'events per _bulk batch (their findings go with them)', '500')
      .option('--export-interval <duration>', 'read the events outbox this often', '5s')
      .option('--export-attempts <n>', 'tries per _bulk request on 429/5xx/network errors before the batch waits for the next round', '6')
      .option('--no-notify', 'send no notifications (by default the monitoring events go to the configured channels when BULWARK_SECRET_KEY is set)')
      .action(async (opts: ServeCliOptions) => {
        process.exitCode = await runServe(context(), opts);
      });
    cmd
      .command('init')
      .description('create the store and its first admin; prints the admin API key as the last line')
      .option('--data-dir <dir>', 'where the server keeps its data')
      .option('--database <url>', 'PostgreSQL URL; env BULWARK_DATABASE_URL')
      .option('--admin <name>', 'admin user name', 'admin')
      .action(async (opts: StoreCliOptions & { admin: string }, sub: Command) => {
        const parent = sub.parent?.opts<StoreCliOptions>() ?? {};
        const merged = { dataDir: opts.dataDir ?? parent.dataDir, database: opts.database ?? parent.database };
        const ctx = context();
        const r = await initServer({ ...storeOptions(merged), adminName: opts.admin });
        ctx.log.info(`created admin ${r.name}; keep this API key, it is shown once:`);
        ctx.stdout.write(r.apiKey + '\n');
        process.exitCode = 0;
      });
  },
};
