import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { ScanJobWorker } from '../../server/registry/job-worker.js';
import { SecretBox } from '../../server/secret-box.js';
import { Store } from '../../server/store/store.js';
import { IngestWorker } from '../../server/worker.js';
import type { CliContext } from '../context.js';
import type { CliCommand } from './index.js';
import { untilStopSignal } from '../signals.js';

interface WorkerCliOptions {
  database?: string;
  dataDir?: string;
  leaseSeconds: string;
  offline?: boolean;
  dbSource?: string;
  once?: boolean;
  ingest: boolean;
}

/**
 * `bulwark worker`: works the server's image scan jobs (and stores their reports) from another process or
 * machine, against the same PostgreSQL. Any number may run; a job is held by one worker at a time (lease).
 */
async function runWorker(ctx: CliContext, opts: WorkerCliOptions): Promise<number> {
  const database = opts.database ?? process.env.BULWARK_DATABASE_URL;
  if (!database && !opts.dataDir) throw new UsageError('--database postgres://… (or BULWARK_DATABASE_URL) is required', 'workers share the server\'s PostgreSQL; --data-dir serves a SQLite store on this machine');
  if (!/^\d+$/.test(opts.leaseSeconds) || Number(opts.leaseSeconds) < 1) throw new UsageError('--lease-seconds must be a whole number ≥ 1');
  const box = process.env.BULWARK_SECRET_KEY ? SecretBox.fromKey(process.env.BULWARK_SECRET_KEY) : undefined;
  const store = await Store.open({ ...(database ? { databaseUrl: database } : {}), ...(opts.dataDir ? { dataDir: path.resolve(opts.dataDir) } : {}) });
  const ingest = opts.ingest ? new IngestWorker(store) : undefined;
  const jobs = new ScanJobWorker(store, {
    cacheDir: ctx.cacheDir,
    offline: opts.offline === true,
    ...(opts.dbSource ? { dbSource: opts.dbSource } : {}),
    box,
    log: ctx.log,
    leaseMs: Number(opts.leaseSeconds) * 1000,
    onQueued: () => ingest?.notify(),
  });
  try {
    if (opts.once) {
      const n = await jobs.drain();
      await ingest?.drain();
      ctx.log.info(`${n} scan job(s) worked`);
      return 0;
    }
    ingest?.start();
    jobs.start();
    ctx.log.info(`bulwark worker ${jobs.id} working scan jobs (store: ${store.engine})`);
    await untilStopSignal();
    await jobs.stop();
    await ingest?.stop();
    return 0;
  } finally {
    await store.close();
  }
}

export const workerCommand: CliCommand = {
  name: 'worker',
  register(program: Command, context: () => CliContext) {
    program
      .command('worker')
      .description("work the server's image scan jobs (pull by digest, scan, store) against the server's PostgreSQL")
      .option('--database <url>', 'PostgreSQL URL of the server (env BULWARK_DATABASE_URL)')
      .option('--data-dir <dir>', "the server's data directory (SQLite store, same machine only)")
      .option('--lease-seconds <n>', 'a claimed job is held this long, renewed while it runs; a dead worker\'s job is retried after it', '60')
      .option('--offline', 'use the advisory database in the cache as it is; never refresh it')
      .option('--db-source <url|dir>', 'where stale advisory feeds are refreshed from')
      .option('--once', 'work the due jobs, then exit')
      .option('--no-ingest', 'leave storing the reports to the server (default: this worker stores them too)')
      .action(async (opts: WorkerCliOptions) => {
        process.exitCode = await runWorker(context(), opts);
      });
  },
};
