import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { Monitor, serverCacheDir } from '../../server/monitor/monitor.js';
import { ScanJobWorker } from '../../server/registry/job-worker.js';
import { SecretBox } from '../../server/secret-box.js';
import { Store } from '../../server/store/store.js';
import { IngestWorker } from '../../server/worker.js';
import type { CliContext } from '../context.js';
import type { CliCommand } from './index.js';
import { untilStopSignal } from '../signals.js';
import { serverLog } from '../server-log.js';
import { durationOption } from './server.js';

interface WorkerCliOptions {
  database?: string;
  dataDir?: string;
  leaseSeconds: string;
  offline?: boolean;
  dbSource?: string;
  once?: boolean;
  ingest: boolean;
  scanJobs: boolean;
  rematch?: boolean;
  advisoryDir?: string;
  profileRepo?: string;
  rematchLease: string;
  rematchBatch: string;
  nice?: string;
}

/** `--rematch`: re-match jobs against the server's advisory database (its `<data-dir>/advisory`, shared). */
function rematchMonitor(store: Store, ctx: CliContext, opts: WorkerCliOptions): Monitor | undefined {
  if (!opts.rematch) return undefined;
  const cacheDir = opts.advisoryDir ? path.resolve(opts.advisoryDir) : opts.dataDir ? serverCacheDir(path.resolve(opts.dataDir)) : undefined;
  if (!cacheDir) throw new UsageError('--rematch needs the server\'s advisory database: --advisory-dir DIR (the server\'s <data-dir>/advisory) or --data-dir', 're-match jobs are matched against the file the server refreshed, never a copy of another age');
  if (!/^\d+$/.test(opts.rematchBatch) || Number(opts.rematchBatch) < 1) throw new UsageError('--rematch-batch must be a whole number ≥ 1');
  return new Monitor(store, {
    cacheDir,
    jobsOnly: true,
    ...(opts.profileRepo !== undefined ? { profileRepo: opts.profileRepo } : {}),
    leaseMs: durationOption(opts.rematchLease, '--rematch-lease'),
    background: opts.once !== true,
    batchSize: Number(opts.rematchBatch),
    log: serverLog(ctx.log),
  });
}

/**
 * `bulwark worker`: works the server's image scan jobs (and stores their reports, and other queued reports),
 * and with --rematch continuous monitoring's re-match jobs, from another process or machine against the same
 * PostgreSQL. Any number may run; a job is held by one worker at a time (lease).
 */
async function runWorker(ctx: CliContext, opts: WorkerCliOptions): Promise<number> {
  const database = opts.database ?? process.env.BULWARK_DATABASE_URL;
  if (!database && !opts.dataDir) throw new UsageError('--database postgres://… (or BULWARK_DATABASE_URL) is required', 'workers share the server\'s PostgreSQL; --data-dir serves a SQLite store on this machine');
  if (!/^\d+$/.test(opts.leaseSeconds) || Number(opts.leaseSeconds) < 1) throw new UsageError('--lease-seconds must be a whole number ≥ 1');
  if (opts.nice !== undefined) {
    if (!/^\d+$/.test(opts.nice) || Number(opts.nice) > 19) throw new UsageError('--nice must be a whole number from 0 to 19');
    // Background work (re-matching) yields the CPU to ingestion and the API when they share the machine.
    os.setPriority(Number(opts.nice));
  }
  const box = process.env.BULWARK_SECRET_KEY ? SecretBox.fromKey(process.env.BULWARK_SECRET_KEY) : undefined;
  const store = await Store.open({ ...(database ? { databaseUrl: database } : {}), ...(opts.dataDir ? { dataDir: path.resolve(opts.dataDir) } : {}) });
  try {
    const monitor = rematchMonitor(store, ctx, opts);
    const ingest = opts.ingest ? new IngestWorker(store, { log: serverLog(ctx.log) }) : undefined;
    const jobs = opts.scanJobs
      ? new ScanJobWorker(store, {
          cacheDir: ctx.cacheDir,
          offline: opts.offline === true,
          ...(opts.dbSource ? { dbSource: opts.dbSource } : {}),
          box,
          log: ctx.log,
          leaseMs: Number(opts.leaseSeconds) * 1000,
          onQueued: () => ingest?.notify(),
        })
      : undefined;
    const what = [jobs ? 'scan jobs' : '', monitor ? 're-match jobs' : '', ingest ? 'ingestion' : ''].filter(Boolean);
    if (what.length === 0) throw new UsageError('nothing to work: --no-scan-jobs and --no-ingest without --rematch');
    if (opts.once) {
      const n = (await jobs?.drain()) ?? 0;
      if (monitor) await monitor.start();
      const m = (await monitor?.drain()) ?? 0;
      const k = (await ingest?.drain()) ?? 0;
      await monitor?.stop();
      ctx.log.info(`${n} scan job(s), ${m} re-match job(s), ${k} report(s) worked`);
      return 0;
    }
    ingest?.start();
    jobs?.start();
    await monitor?.start();
    ctx.log.info(`bulwark worker (pid ${process.pid}) working ${what.join(', ')} (store: ${store.engine})`);
    await untilStopSignal();
    await jobs?.stop();
    await monitor?.stop();
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
      .description("work the server's image scan jobs (pull by digest, scan, store), stored reports and, with --rematch, re-match jobs against the server's PostgreSQL")
      .option('--database <url>', 'PostgreSQL URL of the server (env BULWARK_DATABASE_URL)')
      .option('--data-dir <dir>', "the server's data directory (SQLite store, same machine only)")
      .option('--lease-seconds <n>', 'a claimed job is held this long, renewed while it runs; a dead worker\'s job is retried after it', '60')
      .option('--offline', 'use the advisory database in the cache as it is; never refresh it')
      .option('--db-source <url|dir>', 'where stale advisory feeds are refreshed from')
      .option('--once', 'work the due jobs, then exit')
      .option('--no-ingest', 'leave storing the reports to the server (default: this worker stores them too)')
      .option('--no-scan-jobs', 'work no image scan jobs (with --rematch: a re-match worker)')
      .option('--rematch', "work continuous monitoring's re-match jobs too (the server runs with --rematch-workers 0)")
      .option('--advisory-dir <dir>', "with --rematch: the server's advisory database directory (<data-dir>/advisory), shared with the server; default <--data-dir>/advisory")
      .option('--profile-repo <dir|git-url>', "with --rematch: the server's security-profile repository (jobs wait while this worker's profiles differ from the server's)")
      .option('--rematch-lease <duration>', 'with --rematch: leased re-match jobs come back to the queue after this long if this worker died', '2m')
      .option('--rematch-batch <n>', 'with --rematch: re-match jobs leased at a time', '50')
      .option('--nice <n>', "run at this lower CPU priority (0-19, as nice(1)): a re-match worker sharing cores with the server's ingestion, e.g. 10")
      .action(async (opts: WorkerCliOptions) => {
        process.exitCode = await runWorker(context(), opts);
      });
  },
};
