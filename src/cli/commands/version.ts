import readline from 'node:readline';
import type { Command } from 'commander';
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

export const versionCommand: CliCommand = {
  name: 'version',
  register(program: Command, context: () => CliContext) {
    const cmd = program.command('version').description('inspect how Bulwark orders versions');
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
