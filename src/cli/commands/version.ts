import readline from 'node:readline';
import fs from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { AdvisoryDbReader } from '../../advisory/store/reader.js';
import { databasePath } from '../../advisory/update.js';
import { VERSION } from '../../version.js';
import { writeResult } from '../output.js';
import { describeError, UsageError } from '../../core/errors.js';
import { getScheme, SCHEMES } from '../../versioning/registry.js';
import type { VersionScheme } from '../../versioning/types.js';
import type { CliContext } from '../context.js';
import type { CliCommand } from './index.js';

/** Write one chunk, waiting for the stream to drain when it asks to (batch output can be large). */
function write(out: NodeJS.WritableStream, s: string): Promise<void> {
  return new Promise((resolve) => {
    if (out.write(s)) resolve();
    else out.once('drain', () => resolve());
  });
}

/** One `a<TAB>b` line → "-1" | "0" | "1" | "error: <message>". */
export function compareLine(scheme: VersionScheme, line: string): string {
  const parts = line.replace(/\r$/, '').split('\t');
  if (parts.length !== 2) return `error: expected two versions separated by a tab, got ${JSON.stringify(line)}`;
  try {
    return String(scheme.compare(parts[0]!, parts[1]!));
  } catch (e) {
    return `error: ${describeError(e)}`;
  }
}

export async function runBatch(scheme: VersionScheme, input: NodeJS.ReadableStream, out: NodeJS.WritableStream): Promise<void> {
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) await write(out, compareLine(scheme, line) + '\n');
}

export interface VersionInfo {
  version: string;
  node: string;
  platform: string;
  /** The advisory database in the cache, or null when there is none (or it cannot be opened). */
  database: { path: string; model: number; builtAt: string | null } | null;
}

export function versionInfo(cacheDir: string): VersionInfo {
  const dbPath = databasePath(cacheDir);
  let database: VersionInfo['database'] = null;
  if (fs.existsSync(dbPath)) {
    try {
      const reader = AdvisoryDbReader.open(dbPath);
      try {
        const s = reader.status();
        database = { path: s.path, model: s.model, builtAt: s.builtAt };
      } finally {
        reader.close();
      }
    } catch {
      database = null;
    }
  }
  return { version: VERSION, node: process.versions.node, platform: `${process.platform}/${process.arch}`, database };
}

export function formatVersion(info: VersionInfo, format: string): string {
  if (format === 'json') return JSON.stringify(info, null, 2);
  const db = info.database ? `${info.database.path} (model ${info.database.model}, built ${info.database.builtAt ?? 'never'})` : 'none (run `bulwark db update`)';
  return [`Version: ${info.version}`, `Node.js: ${info.node} (${info.platform})`, `Advisory database: ${db}`].join('\n');
}

export const versionCommand: CliCommand = {
  name: 'version',
  register(program: Command, context: () => CliContext) {
    const cmd = program
      .command('version')
      .description("print Bulwark's version and its advisory database; `version compare` shows how versions are ordered")
      .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
      .addHelpText('after', `
Examples:
  $ bulwark version
  $ bulwark version --format json
  $ bulwark version compare npm 1.2.3 1.10.0
  $ printf '1.0.0\\t1.0.0-rc.1\\n' | bulwark version compare semver --batch
`)
      .action((opts: { format: string }) => {
        const ctx = context();
        writeResult(ctx, formatVersion(versionInfo(ctx.cacheDir), opts.format));
      });
    cmd
      .command('compare')
      .description(
        'print -1, 0 or 1 as <a> sorts before, equal to or after <b> in <scheme>; with --batch, read "a<TAB>b" lines from stdin',
      )
      .argument('<scheme>', `scheme id (${SCHEMES.filter((s) => s.id !== 'generic').map((s) => s.id).join(', ')}) or OSV ecosystem name`)
      .argument('[a]', 'first version')
      .argument('[b]', 'second version')
      .option('--batch', 'compare tab-separated pairs read from stdin, one result per line')
      .action(async (schemeName: string, a: string | undefined, b: string | undefined, opts: { batch?: boolean }) => {
        const scheme = getScheme(schemeName);
        const out = context().stdout;
        if (opts.batch) {
          if (a !== undefined) throw new UsageError('--batch takes no versions on the command line', 'pipe "a<TAB>b" lines to stdin');
          await runBatch(scheme, process.stdin, out);
          return;
        }
        if (a === undefined || b === undefined) throw new UsageError('compare needs two versions', 'bulwark version compare <scheme> <a> <b>');
        await write(out, `${scheme.compare(a, b)}\n`);
      });
  },
};
