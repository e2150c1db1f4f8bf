import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { FileError, UsageError } from '../../core/errors.js';
import { IMPORT_FORMATS, importReport, isImportFormat } from '../../import/index.js';
import { FORMAT_NAMES, render } from '../../report/registry.js';
import type { CliContext } from '../context.js';
import { writeResult } from '../output.js';
import type { CliCommand } from './index.js';

interface ConvertOptions {
  format: string;
  from?: string;
  output?: string;
}

/** Reads FILE, or stdin for "-". */
export function readInput(file: string): Uint8Array {
  try {
    return file === '-' ? fs.readFileSync(0) : fs.readFileSync(file);
  } catch (e) {
    throw new FileError(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot read the report', { cause: e });
  }
}

async function runConvert(ctx: CliContext, file: string, opts: ConvertOptions): Promise<number> {
  if (!FORMAT_NAMES.includes(opts.format)) throw new UsageError(`unknown output format ${JSON.stringify(opts.format)}`, `use one of: ${FORMAT_NAMES.join(', ')}`);
  if (opts.from !== undefined && !isImportFormat(opts.from)) throw new UsageError(`unknown input format ${JSON.stringify(opts.from)}`, `use one of: ${IMPORT_FORMATS.join(', ')}`);
  if (opts.output && !fs.existsSync(path.dirname(path.resolve(opts.output)))) throw new FileError(path.dirname(path.resolve(opts.output)), `no such directory for --output ${opts.output}`);
  const bytes = readInput(file);
  const report = importReport(bytes, { filename: file === '-' ? '<stdin>' : file, ...(opts.from && isImportFormat(opts.from) ? { format: opts.from } : {}) });
  const from = report.tool.importedFrom;
  ctx.log.info(`${file}: ${from.format} report of ${from.scanner}${from.scannerVersion ? ` ${from.scannerVersion}` : ''}: ${report.findings.length} finding(s) on ${report.packages.length} package(s)`);
  for (const e of report.errors) ctx.log.warn(`${e.path}: ${e.message}`);
  for (const u of report.unknowns.filter((x) => x.kind === 'unsupported')) ctx.log.warn(`${file}: ${u.message}`);
  writeResult(ctx, await render(report, opts.format, { color: opts.output ? false : ctx.color }), opts.output);
  if (opts.output) ctx.log.info(`${opts.format} report written to ${opts.output}`);
  return 0;
}

export const convertCommand: CliCommand = {
  name: 'convert',
  register(program: Command, context: () => CliContext) {
    program
      .command('convert')
      .description("write another scanner's report (Trivy, Grype, Dependency-Check, osv-scanner, GitLab, govulncheck, npm audit, CycloneDX) as a Bulwark report or any output format")
      .argument('<report>', 'the report file, or - for stdin')
      .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMAT_NAMES]).default('json'))
      .addOption(new Option('--from <format>', 'input format (default: detected from the content)').choices([...IMPORT_FORMATS]))
      .option('-o, --output <file>', 'write to FILE instead of stdout')
      .action(async (file: string, opts: ConvertOptions) => {
        process.exitCode = await runConvert(context(), file, opts);
      });
  },
};
