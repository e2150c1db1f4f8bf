import fs from 'node:fs';
import { describeError } from '../core/errors.js';
import { AdvisoryDbReader, readDatabaseMeta } from '../advisory/store/reader.js';
import { databasePath } from '../advisory/paths.js';
import type { Logger } from '../util/log.js';
import type { ProgressReporter } from '../util/progress.js';

export const DB_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface ScanDatabaseOptions {
  cacheDir: string;
  /** Use the database as it is (--offline / --skip-db-update). */
  offline: boolean;
  /** Where to refresh from; defaults to the source of the last `db update`, else upstream. */
  source?: string;
  /** Ecosystems found by the scan: only their feeds are fetched. */
  ecosystems: readonly string[];
  log: Logger;
  progress?: ProgressReporter;
}

function lastSource(dbPath: string): string | undefined {
  return readDatabaseMeta(dbPath)?.get('source');
}

/**
 * The advisory database a scan reads. Unless offline, feeds for the scanned ecosystems that are missing
 * or older than 24 hours are refreshed first (only those: a first npm scan does not fetch every ecosystem).
 * A failed refresh is a warning, and the scan goes on with the data it has (the report names stale feeds).
 */
export async function openScanDatabase(opts: ScanDatabaseOptions): Promise<AdvisoryDbReader> {
  const dbPath = databasePath(opts.cacheDir);
  const selectors = opts.ecosystems.filter((e) => !['deb', 'apk', 'rpm'].includes(e));
  if (!opts.offline && selectors.length > 0) {
    const source = opts.source ?? lastSource(dbPath);
    try {
      const { updateDatabase } = await import('../advisory/update.js');
      const result = await updateDatabase({
        cacheDir: opts.cacheDir,
        source,
        ecosystems: selectors,
        olderThanMs: DB_MAX_AGE_MS,
        log: opts.log,
        progress: opts.progress,
      });
      for (const o of result.outcomes) {
        if (o.result === 'imported') opts.log.info(`advisory feed ${o.feed} updated (${o.records ?? 0} advisories)`);
        if (o.result === 'failed') opts.log.warn(`advisory feed ${o.feed} could not be updated: ${o.error ?? 'unknown error'}; using the data it has`);
      }
    } catch (e) {
      if (!fs.existsSync(dbPath)) throw e;
      opts.log.warn(`the advisory database could not be refreshed (${describeError(e)}); using it as it is`);
    }
  }
  return AdvisoryDbReader.open(dbPath);
}
