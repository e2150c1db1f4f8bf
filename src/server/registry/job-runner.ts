import crypto from 'node:crypto';
import type { ScanReport } from '../../core/report.js';
import { decide } from '../../policy/decide.js';
import { DEFAULT_GATE } from '../../policy/gate.js';
import { openScanDatabase } from '../../scan/database.js';
import { buildReport } from '../../scan/scanner.js';
import { inventoryOfImage } from '../../scan/image.js';
import { openImage } from '../../source/image/index.js';
import type { Logger } from '../../util/log.js';
import { IdempotencyKeyReusedError } from '../store/queue.js';
import type { ScanJob } from '../store/scan-jobs.js';
import type { Store } from '../store/store.js';
import { accessOf } from './registry-config.js';
import type { SecretBox } from '../secret-box.js';

export interface JobRunnerOptions {
  /** Blobs cache, layer cache and advisory database: the CLI's cache layout, shareable by the server and workers. */
  cacheDir: string;
  /** Use the advisory database as it is (never refresh it before a job). */
  offline: boolean;
  /** Where stale feeds are refreshed from (default: the source of the last `db update`). */
  dbSource?: string;
  /** Neither read nor write the per-layer cache (benchmarks). */
  noLayerCache?: boolean;
  box: SecretBox | undefined;
  log: Logger;
}

/**
 * Scans one job's image by digest the way `bulwark scan registry:<image>@<digest>` does (openImage +
 * inventoryOfImage through inventoryOf, the advisory database, the default gate), and hands the report to
 * the ingestion queue like an upload. The job id is the idempotency key, so a job retried after a crash
 * that had already queued its report queues nothing more: one scan per job.
 */
export async function runScanJob(store: Store, job: ScanJob, opts: JobRunnerOptions): Promise<number> {
  const row = job.registry_id === null ? undefined : await store.registries.byId(job.registry_id);
  const access = row ? accessOf(row, opts.box) : undefined;
  // openImage + inventoryOfImage, as `bulwark scan registry:<image>@<digest>` does; only the stored
  // credentials are used (never BULWARK_USERNAME/PASSWORD or a docker config of the server's user).
  const source = await openImage(
    { kind: 'registry', reference: `${job.image}@${job.digest}` },
    {
      cacheDir: opts.cacheDir,
      insecure: access?.insecure ?? false,
      ...(access?.username !== undefined ? { username: access.username, password: access.password ?? '' } : {}),
      env: {},
      dockerConfigPath: '/nonexistent/bulwark-no-docker-config',
    },
  );
  let inventory;
  try {
    inventory = await inventoryOfImage(source, {
      cacheDir: opts.cacheDir,
      ...(opts.noLayerCache ? { noLayerCache: true } : {}),
      onLayer: (i, n, cached) => opts.log.debug(`layer ${i + 1}/${n}${cached ? ' (cached)' : ''}`),
    });
  } finally {
    await source.close();
  }
  const db = await openScanDatabase({
    cacheDir: opts.cacheDir,
    offline: opts.offline,
    ...(opts.dbSource ? { source: opts.dbSource } : {}),
    ecosystems: [...new Set(inventory.packages.map((p) => p.ecosystem))],
    log: opts.log,
  });
  let report: ScanReport;
  try {
    const now = new Date();
    report = decide(buildReport(inventory, db, now), { gate: DEFAULT_GATE, rules: [] }, now).report;
  } finally {
    db.close();
  }
  const body = JSON.stringify(report);
  const bodyHash = crypto.createHash('sha256').update(body).digest('hex');
  try {
    const r = await store.queue.enqueue({ projectId: job.project_id, tokenId: null, idempotencyKey: `scan-job:${job.id}`, bodyHash, body });
    return r.id;
  } catch (e) {
    // A previous attempt of this job queued its report already (its body differs by timestamps only).
    if (e instanceof IdempotencyKeyReusedError) return e.existingId;
    throw e;
  }
}
