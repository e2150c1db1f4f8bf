import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { ScanReport } from '../../core/report.js';
import { parseFailOn } from '../../policy/gate.js';
import type { GateOptions } from '../../policy/gate.js';
import { renderTable } from '../../report/table.js';
import { openScanDatabase } from '../../scan/database.js';
import { buildReport } from '../../scan/scanner.js';
import { inventoryOf } from '../../scan/targets.js';
import { noProgress, terminalProgress } from '../../util/progress.js';
import type { CliContext } from '../context.js';
import { writeResult } from '../output.js';
import { EXIT_GATE_FAILED } from '../exit-codes.js';
import type { CliCommand } from './index.js';

export interface ScanOptions {
  format: string;
  output?: string;
  failOn: string;
  includeUnfixed?: boolean;
  excludeDev?: boolean;
  offline?: boolean;
  skipDbUpdate?: boolean;
  dbSource?: string;
}

export function gateOptions(opts: ScanOptions): GateOptions {
  return { failOn: parseFailOn(opts.failOn), includeUnfixed: opts.includeUnfixed === true, excludeDev: opts.excludeDev === true };
}

export function renderReport(report: ScanReport, format: string, ctx: CliContext): string {
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2);
    case 'table':
      return renderTable(report, { color: ctx.color });
    default:
      throw new UsageError(`unknown format ${JSON.stringify(format)}`, 'use --format table or json');
  }
}

export async function runScan(ctx: CliContext, target: string, opts: ScanOptions): Promise<number> {
  const gate = gateOptions(opts);
  const inventory = await inventoryOf(target, { cacheDir: ctx.cacheDir, log: ctx.log });
  const db = await openScanDatabase({
    cacheDir: ctx.cacheDir,
    offline: opts.offline === true || opts.skipDbUpdate === true,
    source: opts.dbSource,
    ecosystems: [...new Set(inventory.packages.map((p) => p.ecosystem))],
    log: ctx.log,
    progress: ctx.progress ? terminalProgress() : noProgress,
  });
  let report: ScanReport;
  try {
    report = buildReport(inventory, db, gate);
  } finally {
    db.close();
  }
  const color = opts.output ? false : ctx.color;
  writeResult(ctx, renderReport(report, opts.format, { ...ctx, color }), opts.output);
  if (opts.output) ctx.log.info(`report written to ${opts.output}`);
  if (!report.gate.passed) ctx.log.info(`gate failed: ${report.gate.reason}`);
  return report.gate.passed ? 0 : EXIT_GATE_FAILED;
}

export const scanCommand: CliCommand = {
  name: 'scan',
  register(program: Command, context) {
    program
      .command('scan')
      .description('scan a source tree or lockfile (dir:<path>) for known vulnerabilities')
      .argument('<target>', 'a directory, dir:<path>, or one lockfile')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
      .option('-o, --output <file>', 'write the report to a file instead of stdout')
      .option('--fail-on <severity>', 'exit 1 when a finding this severe or worse has a fix: critical, high, medium, low, none', 'high')
      .option('--include-unfixed', 'count findings without a fix in the gate too')
      .option('--exclude-dev', 'leave development-only dependencies out of the gate')
      .option('--offline', 'use the advisory database as it is; never fetch')
      .option('--skip-db-update', 'same as --offline')
      .option('--db-source <url|dir>', 'where a scan refreshes stale feeds from (default: the source of the last `db update`)')
      .action(async (target: string, opts: ScanOptions) => {
        process.exitCode = await runScan(context(), target, opts);
      });
  },
};
