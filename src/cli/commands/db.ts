import type { Command } from 'commander';
import { Option } from 'commander';
import pc from 'picocolors';
import { BulwarkError, UsageError } from '../../core/errors.js';
import { OSV_ECOSYSTEMS } from '../../advisory/feeds/osv/feed.js';
import { feedCatalog } from '../../advisory/feeds/catalog.js';
import { AdvisoryDbReader } from '../../advisory/store/reader.js';
import type { FeedOutcome } from '../../advisory/update.js';
import { databasePath, updateDatabase } from '../../advisory/update.js';
import { noProgress, terminalProgress } from '../../util/progress.js';
import type { CliContext } from '../context.js';
import { writeResult } from '../output.js';
import type { CliCommand } from './index.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** The names `--ecosystem` takes: the OSV ecosystems, the distributions Bulwark has feeds for, and nvd (severities). */
export const ECOSYSTEM_NAMES: readonly string[] = [...new Set<string>([...OSV_ECOSYSTEMS, 'Alpine', 'Debian', 'nvd'])];

/**
 * `--ecosystem pypi` → `PyPI`: names match case-insensitively (a release suffix such as `Debian:12` or
 * `Alpine:v3.19` is kept as given); an unknown name is an error listing the valid ones, never an empty import.
 */
export function canonicalEcosystem(selector: string): string {
  if (feedCatalog().some((f) => f.covers(selector))) return selector;
  const colon = selector.indexOf(':');
  const base = colon < 0 ? selector : selector.slice(0, colon);
  const found = ECOSYSTEM_NAMES.find((n) => n.toLowerCase() === base.trim().toLowerCase());
  if (!found) throw new UsageError(`--ecosystem ${JSON.stringify(selector)}: no such ecosystem`, `use one of: ${ECOSYSTEM_NAMES.join(', ')}`);
  return colon < 0 ? found : `${found}${selector.slice(colon)}`;
}

function summarize(outcomes: FeedOutcome[]): string[] {
  const lines: string[] = [];
  const missing: string[] = [];
  for (const o of outcomes) {
    if (o.result === 'missing') {
      missing.push(o.feed);
      continue;
    }
    const counts = o.records !== undefined ? ` ${o.records} advisories${o.skipped ? `, ${o.skipped} malformed skipped` : ''}` : '';
    if (o.result === 'failed') lines.push(`${o.feed}: FAILED: ${o.error ?? 'unknown error'} (previous data kept)`);
    else lines.push(`${o.feed}: ${o.result}${counts} (${o.seconds.toFixed(2)} s)`);
  }
  if (missing.length > 0) lines.push(`not in the source, skipped: ${missing.join(', ')}`);
  return lines;
}

function age(iso: string | null, now: Date): string {
  if (!iso) return '-';
  const s = Math.max(0, (now.getTime() - Date.parse(iso)) / 1000);
  if (s < 120) return `${Math.round(s)}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

async function runUpdate(ctx: CliContext, opts: { source?: string; ecosystem?: string[] }): Promise<number> {
  const started = performance.now();
  const result = await updateDatabase({
    cacheDir: ctx.cacheDir,
    source: opts.source,
    ecosystems: opts.ecosystem?.map(canonicalEcosystem),
    log: ctx.log,
    progress: ctx.progress ? terminalProgress() : noProgress,
  });
  for (const line of summarize(result.outcomes)) ctx.log.info(line);
  const failed = result.outcomes.filter((o) => o.result === 'failed');
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (failed.length > 0) {
    throw new BulwarkError('BULWARK_E_FEED', `${failed.length} feed(s) failed: ${failed.map((f) => f.feed).join(', ')}; their previous data is kept`, {
      hint: 'check the source and run `bulwark db update` again',
    });
  }
  const imported = result.outcomes.filter((o) => o.result === 'imported').length;
  ctx.log.info(`${result.dbPath}: ${imported} feed(s) imported, ${result.outcomes.filter((o) => o.result === 'unchanged').length} unchanged in ${seconds} s`);
  return 0;
}

function runStatus(ctx: CliContext, opts: { format: string; output?: string }): number {
  const reader = AdvisoryDbReader.open(databasePath(ctx.cacheDir));
  try {
    const status = reader.status();
    if (opts.format === 'json') {
      const feeds = status.feeds.map((f) => ({
        id: f.id,
        kind: f.kind,
        status: f.status,
        source: f.source,
        records: f.records,
        skipped: f.skipped,
        skippedSample: f.skipped_sample ? (JSON.parse(f.skipped_sample) as string[]) : [],
        digest: f.input_digest,
        fetchedAt: f.fetched_at,
        importedAt: f.imported_at,
        error: f.error,
      }));
      writeResult(ctx, JSON.stringify({ path: status.path, model: status.model, builtAt: status.builtAt, feeds, ecosystems: status.ecosystems }, null, 2), opts.output);
      return 0;
    }
    const now = new Date();
    const c = pc.createColors(ctx.color);
    const lines = [`database ${status.path} (model ${status.model}), built ${status.builtAt ?? 'never'} (${age(status.builtAt, now)} ago)`, ''];
    lines.push(`${'FEED'.padEnd(24)} ${'STATUS'.padEnd(8)} ${'RECORDS'.padStart(8)} ${'SKIPPED'.padStart(8)} ${'AGE'.padStart(6)}  SOURCE`);
    for (const f of status.feeds) {
      const st = f.status === 'ok' ? c.green(f.status.padEnd(8)) : f.status === 'failed' ? c.red(f.status.padEnd(8)) : c.yellow(f.status.padEnd(8));
      lines.push(`${f.id.padEnd(24)} ${st} ${String(f.records).padStart(8)} ${String(f.skipped).padStart(8)} ${age(f.fetched_at, now).padStart(6)}  ${f.source}${f.error ? `  (${f.error})` : ''}`);
    }
    lines.push('', `${'ECOSYSTEM'.padEnd(24)} ADVISORIES`);
    for (const [eco, n] of Object.entries(status.ecosystems)) lines.push(`${eco.padEnd(24)} ${n}`);
    writeResult(ctx, lines.join('\n'), opts.output);
    return 0;
  } finally {
    reader.close();
  }
}

export const dbCommand: CliCommand = {
  name: 'db',
  register(program: Command, context) {
    const db = program.command('db').description('manage the local advisory database').addHelpText('after', `
Examples:
  $ bulwark db update --ecosystem npm
  $ bulwark db status
`);
    db.command('update')
      .description('build or refresh the advisory database from upstream feeds or a mirror')
      .option('--source <url|dir>', 'mirror laid out like upstream (osv/<Ecosystem>/all.zip, alpine/<release>/main.json, debian/...)')
      .option('--ecosystem <name>', `only feeds for this ecosystem, any case (repeatable, comma-separated): ${ECOSYSTEM_NAMES.join(', ')}; a release too, as Debian:12 or Alpine:v3.19`, collect)
      .addHelpText('after', `
Examples:
  # every feed from upstream (OSV, Alpine secdb, Debian tracker)
  $ bulwark db update
  # only what a Node and Python project needs
  $ bulwark db update --ecosystem npm,pypi
  # offline, from a mirror laid out like upstream
  $ bulwark db update --source /mnt/mirror/vulndata
`)
      .action(async (opts: { source?: string; ecosystem?: string[] }) => {
        process.exitCode = await runUpdate(context(), opts);
      });
    db.command('status')
      .description('show feeds, counts, build time and age')
      .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
      .option('-o, --output <file>', 'write to a file instead of stdout')
      .addHelpText('after', `
Examples:
  $ bulwark db status
  $ bulwark db status --format json -o db-status.json
`)
      .action((opts: { format: string; output?: string }) => {
        process.exitCode = runStatus(context(), opts);
      });
  },
};
