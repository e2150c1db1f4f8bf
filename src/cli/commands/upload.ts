import fs from 'node:fs';
import type { Command } from 'commander';
import type { CiContext } from '../../core/ci.js';
import { ciContextFromEnv } from '../../core/ci.js';
import { FileError, UsageError } from '../../core/errors.js';
import { IMPORT_FORMATS, importReport, isImportFormat } from '../../import/index.js';
import { uploadReport } from '../../server/client/upload.js';
import type { CliContext } from '../context.js';
import type { CliCommand } from './index.js';

interface UploadCliOptions {
  server?: string;
  spoolDir?: string;
  attempts: string;
  idempotencyKey?: string;
  from?: string;
  ciContext?: boolean;
}

/**
 * A Bulwark report without a `ci` block gets this pipeline's (scanned elsewhere, uploaded from CI). Anything else
 * (a report that already has one, another scanner's, not JSON) is sent as it is and left to the server to judge.
 */
export function withCiContext(body: string, ci: CiContext | null): string {
  if (!ci) return body;
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return body;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return body;
  const r = doc as Record<string, unknown>;
  if ((r.tool as { name?: unknown } | undefined)?.name !== 'bulwark' || r.ci !== undefined) return body;
  return JSON.stringify({ ...r, ci });
}

async function runUpload(ctx: CliContext, file: string, opts: UploadCliOptions): Promise<number> {
  const server = opts.server ?? process.env.BULWARK_SERVER;
  if (!server) throw new UsageError('--server is required', 'pass --server https://bulwark.example.com (or set BULWARK_SERVER)');
  const token = process.env.BULWARK_TOKEN;
  if (!token) throw new UsageError('BULWARK_TOKEN is not set', 'export BULWARK_TOKEN=<project ingest token> (an admin creates one with POST /api/v1/projects/<name>/tokens)');
  if (!/^\d+$/.test(opts.attempts) || Number(opts.attempts) < 1) throw new UsageError('--attempts must be a whole number of 1 or more');
  if (opts.from !== undefined && !isImportFormat(opts.from)) throw new UsageError(`unknown --from ${opts.from}`, `one of: ${IMPORT_FORMATS.join(', ')}`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new FileError(file, 'cannot read the report', { cause: e });
  }
  // Without --from the server detects the format (a Bulwark report, or another scanner's); with it, the
  // report is converted here, so the file is checked against the named format before anything is sent.
  let body = opts.from ? JSON.stringify(importReport(bytes, { filename: file, format: opts.from })) : bytes.toString('utf8');
  if (opts.ciContext !== false) body = withCiContext(body, ciContextFromEnv(process.env));
  const r = await uploadReport(body, {
    server,
    token,
    attempts: Number(opts.attempts),
    spoolDir: opts.spoolDir,
    idempotencyKey: opts.idempotencyKey,
    onRetry: ({ attempt, delayMs, reason }) => ctx.log.warn(`upload try ${attempt} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)} s`),
  });
  if (r.flushed) ctx.log.info(`${r.flushed} spooled upload(s) from earlier runs sent`);
  if (r.status === 'spooled') ctx.log.warn(`server unreachable: report spooled to ${opts.spoolDir}; it is sent on the next run`);
  else ctx.log.info(`report accepted by ${server}${r.scanId ? ` (scan ${r.scanId})` : ''}`);
  return 0;
}

export const uploadCommand: CliCommand = {
  name: 'upload',
  register(program: Command, context: () => CliContext) {
    program
      .command('upload')
      .description("send a scan report to a Bulwark server (token from BULWARK_TOKEN): Bulwark's JSON report or another scanner's")
      .argument('<report>', `a report written by \`bulwark scan --format json\`, or by another scanner (${IMPORT_FORMATS.join(', ')}; detected by the server)`)
      .option('--from <format>', "convert another scanner's report of this format before sending, as `bulwark convert --from` does (otherwise the server detects it)")
      .option('--server <url>', 'server base URL; env BULWARK_SERVER')
      .option('--spool-dir <dir>', 'save the upload here when the server stays unreachable; spooled uploads are sent on the next run')
      .option('--attempts <n>', 'tries before giving up or spooling', '5')
      .option('--idempotency-key <key>', 'replay key (default: the sha256 of the report)')
      .option('--no-ci-context', "do not add this CI pipeline's context (GitLab CI_* / GitHub GITHUB_* variables) to a Bulwark report that has none")
      .action(async (file: string, opts: UploadCliOptions) => {
        process.exitCode = await runUpload(context(), file, opts);
      });
  },
};
