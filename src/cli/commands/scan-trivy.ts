import { UsageError } from '../../core/errors.js';
import type { ImportedReport } from '../../import/index.js';
import { scanWithTrivy } from '../../scan/engine-trivy.js';
import type { CliContext } from '../context.js';
import type { ScanOptions } from './scan.js';

/** Options of a native scan that do not apply to Trivy: refused, never silently dropped. */
const NATIVE_ONLY: [keyof ScanOptions, string][] = [
  ['dbSource', '--db-source'],
  ['skipDirs', '--skip-dirs'],
  ['skipFiles', '--skip-files'],
  ['allFilesystems', '--all-filesystems'],
];

/** `bulwark scan --engine trivy`: Trivy's report of the target, imported; runScan decides the gate on it like on its own. */
export async function trivyScan(ctx: CliContext, target: string, opts: ScanOptions): Promise<ImportedReport> {
  for (const [key, flag] of NATIVE_ONLY) {
    const v = opts[key];
    if (v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)) throw new UsageError(`${flag} does not apply to --engine trivy`, 'give Trivy its own options through TRIVY_* environment variables, or scan with the Bulwark engine');
  }
  if (opts.layerCache === false) throw new UsageError('--no-layer-cache does not apply to --engine trivy', "Trivy keeps its own cache (TRIVY_CACHE_DIR)");
  const report = await scanWithTrivy(target, {
    ...(opts.trivy !== undefined ? { trivyPath: opts.trivy } : {}),
    offline: opts.offline === true || opts.skipDbUpdate === true,
    ...(opts.platform ? { platform: opts.platform } : {}),
    ...(opts.username !== undefined ? { username: opts.username } : {}),
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    ...(opts.insecure ? { insecure: true } : {}),
    ...(opts.timeout ? { timeout: opts.timeout } : {}),
    log: ctx.log,
  });
  const from = report.tool.importedFrom;
  ctx.log.info(`${report.findings.length} finding(s) from ${from.scanner}${from.scannerVersion ? ` ${from.scannerVersion}` : ''} in ${report.packages.length} package(s)`);
  return report;
}
