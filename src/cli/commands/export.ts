import type { Command } from 'commander';
import { Option } from 'commander';
import { BulwarkError, UsageError } from '../../core/errors.js';
import { BulkClient, BulkUnavailableError, bulkBody, ndjsonLines } from '../../export/bulk.js';
import { DEFAULT_INDEX_PREFIX, reportDocuments } from '../../export/ecs.js';
import type { ExportOptions } from '../../export/ecs.js';
import { ReportFilesSource, readAnyReport } from '../../export/reports.js';
import { FileCursorStore, MemoryCursorStore, runSink } from '../../export/sink.js';
import type { CliContext } from '../context.js';
import { EXIT_ERROR, EXIT_OK } from '../exit-codes.js';
import type { CliCommand } from './index.js';
import { readInput } from './convert.js';

interface ExportCliOptions {
  format: 'ndjson' | 'bulk';
  project?: string;
  service?: string;
  indexPrefix: string;
  esUrl?: string;
  cursor?: string;
  attempts: string;
}

/** Credentials come from the environment only, never from the command line (shell history, ps). */
export function authorizationFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  if (env.BULWARK_ES_API_KEY) return `ApiKey ${env.BULWARK_ES_API_KEY}`;
  if (env.BULWARK_ES_USERNAME) return `Basic ${Buffer.from(`${env.BULWARK_ES_USERNAME}:${env.BULWARK_ES_PASSWORD ?? ''}`).toString('base64')}`;
  return undefined;
}

async function runExport(ctx: CliContext, files: string[], opts: ExportCliOptions): Promise<number> {
  const project = opts.project ?? process.env.BULWARK_PROJECT;
  if (!project) throw new UsageError('--project is required', 'name the team or project the findings belong to (labels.project), or set BULWARK_PROJECT');
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(opts.indexPrefix)) throw new UsageError(`--index-prefix ${JSON.stringify(opts.indexPrefix)}: Elasticsearch index names are lowercase letters, digits, '.', '_' and '-'`);
  if (!/^\d+$/.test(opts.attempts) || Number(opts.attempts) < 1) throw new UsageError('--attempts must be a whole number of 1 or more');
  if (opts.cursor && !opts.esUrl) throw new UsageError('--cursor needs --es-url');
  const exportOpts: ExportOptions = { project, indexPrefix: opts.indexPrefix, ...(opts.service ? { service: opts.service } : {}) };
  const inputs = files.map((name) => ({ name: name === '-' ? '<stdin>' : name, bytes: readInput(name) }));

  if (!opts.esUrl) {
    for (const f of inputs) {
      const docs = reportDocuments(readAnyReport(f.bytes, f.name), exportOpts);
      ctx.stdout.write(opts.format === 'bulk' ? bulkBody(docs) : ndjsonLines(docs));
    }
    return EXIT_OK;
  }

  let client: BulkClient;
  try {
    const authorization = authorizationFromEnv(process.env);
    client = new BulkClient({
      url: opts.esUrl,
      maxAttempts: Number(opts.attempts),
      ...(authorization ? { authorization } : {}),
      onRetry: ({ attempt, delayMs, reason }) => ctx.log.warn(`_bulk try ${attempt} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)} s`),
    });
  } catch (e) {
    throw new UsageError(`--es-url ${opts.esUrl}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const cursor = opts.cursor ? new FileCursorStore(opts.cursor) : new MemoryCursorStore();
  try {
    const r = await runSink(new ReportFilesSource(inputs, exportOpts), client, cursor);
    ctx.log.info(`${r.stored} document(s) stored from ${r.batches} report(s)${opts.cursor ? `; cursor at ${r.position ?? 'start'}` : ''}`);
    for (const f of r.failed.slice(0, 20)) ctx.log.error(`${f.index}/${f.id}: HTTP ${f.status} ${f.reason}`);
    if (r.failed.length > 20) ctx.log.error(`… and ${r.failed.length - 20} more refused document(s)`);
    return r.failed.length > 0 ? EXIT_ERROR : EXIT_OK;
  } catch (e) {
    if (e instanceof BulkUnavailableError) {
      throw new BulwarkError('BULWARK_E_FETCH', e.message, { hint: opts.cursor ? 'run the same command again later: it resumes from the cursor' : 'run it again later (pass --cursor FILE to resume where it stopped)' });
    }
    throw e;
  }
}

export const exportCommand: CliCommand = {
  name: 'export',
  register(program: Command, context: () => CliContext) {
    program
      .command('export')
      .description('findings and scan events as ECS documents: NDJSON to stdout (Filebeat, Fluent Bit, Logstash) or sent to Elasticsearch/OpenSearch with _bulk')
      .argument('<reports...>', 'Bulwark JSON reports or any report `bulwark convert` reads; - for stdin')
      .addOption(new Option('--format <format>', 'stdout format: ndjson (one document per line) or bulk (a _bulk request body)').choices(['ndjson', 'bulk']).default('ndjson'))
      .option('--project <name>', 'labels.project of every document (env BULWARK_PROJECT)')
      .option('--service <name>', 'service.name of every document')
      .option('--index-prefix <prefix>', 'indices: <prefix>-findings-YYYY.MM.DD and <prefix>-events-YYYY.MM.DD', DEFAULT_INDEX_PREFIX)
      .option('--es-url <url>', 'send to this Elasticsearch/OpenSearch cluster (auth from BULWARK_ES_API_KEY, or BULWARK_ES_USERNAME and BULWARK_ES_PASSWORD)')
      .option('--cursor <file>', 'remember which reports were sent; a rerun resumes after them')
      .option('--attempts <n>', 'tries per _bulk request on 429/5xx/network errors', '6')
      .action(async (files: string[], opts: ExportCliOptions) => {
        process.exitCode = await runExport(context(), files, opts);
      });
  },
};
