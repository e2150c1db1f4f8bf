import fs from 'node:fs';
import type { Command } from 'commander';
import { FileError, UsageError } from '../../core/errors.js';
import { uploadReport } from '../../server/client/upload.js';
import type { CliContext } from '../context.js';
import type { CliCommand } from './index.js';

interface UploadCliOptions {
  server?: string;
  spoolDir?: string;
  attempts: string;
  idempotencyKey?: string;
}

async function runUpload(ctx: CliContext, file: string, opts: UploadCliOptions): Promise<number> {
  const server = opts.server ?? process.env.BULWARK_SERVER;
  if (!server) throw new UsageError('--server is required', 'pass --server https://bulwark.example.com (or set BULWARK_SERVER)');
  const token = process.env.BULWARK_TOKEN;
  if (!token) throw new UsageError('BULWARK_TOKEN is not set', 'export BULWARK_TOKEN=<project ingest token> (an admin creates one with POST /api/v1/projects/<name>/tokens)');
  if (!/^\d+$/.test(opts.attempts) || Number(opts.attempts) < 1) throw new UsageError('--attempts must be a whole number of 1 or more');
  let body: string;
  try {
    body = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new FileError(file, 'cannot read the report', { cause: e });
  }
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
      .description('send a JSON scan report to a Bulwark server (token from BULWARK_TOKEN)')
      .argument('<report>', 'a report written by `bulwark scan --format json`')
      .option('--server <url>', 'server base URL; env BULWARK_SERVER')
      .option('--spool-dir <dir>', 'save the upload here when the server stays unreachable; spooled uploads are sent on the next run')
      .option('--attempts <n>', 'tries before giving up or spooling', '5')
      .option('--idempotency-key <key>', 'replay key (default: the sha256 of the report)')
      .action(async (file: string, opts: UploadCliOptions) => {
        process.exitCode = await runUpload(context(), file, opts);
      });
  },
};
