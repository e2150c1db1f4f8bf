import { Command, CommanderError } from 'commander';
import { BulwarkError, describeError } from '../core/errors.js';
import { COMMANDS } from './commands/index.js';
import type { CliContext, GlobalOptions } from './context.js';
import { createContext } from './context.js';
import { VERSION } from '../version.js';

import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';

/** The command the arguments ask for (first non-option word), when it is a known one. */
function requestedCommand(argv: readonly string[]): string | undefined {
  const withValue = new Set(['--cache-dir']);
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (withValue.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return COMMANDS.some((c) => c.name === a) ? a : undefined;
  }
  return undefined;
}

export async function buildProgram(argv: readonly string[] = []): Promise<{ program: Command; context: () => CliContext }> {
  const program = new Command();
  let ctx: CliContext | undefined;
  const context = (): CliContext => {
    ctx ??= createContext(program.opts<GlobalOptions>());
    return ctx;
  };
  program
    .name('bulwark')
    .description('Find known vulnerabilities in source trees, container images and SBOMs.')
    .version(VERSION, '-V, --version')
    .option('--cache-dir <dir>', 'cache directory (env BULWARK_CACHE_DIR, default ~/.cache/bulwark)')
    .option('-q, --quiet', 'print nothing but results and errors')
    .option('--no-color', 'never colour the output')
    .option('--debug', 'print debug logs and stack traces')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureOutput({
    writeErr: (s) => process.stderr.write(s),
    writeOut: (s) => process.stdout.write(s),
  });
  const wanted = requestedCommand(argv);
  const versionOnly = !wanted && (argv.includes('--version') || argv.includes('-V'));
  for (const entry of COMMANDS) {
    if (versionOnly) break;
    if (wanted && entry.name !== wanted) {
      // Not loaded: listed for `help` only.
      program.command(entry.name).description(`(run \`bulwark ${entry.name} --help\`)`);
      continue;
    }
    (await entry.load()).register(program, context);
  }
  return { program, context };
}

export async function main(argv: string[]): Promise<number> {
  const { program, context } = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      return e.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    const debug = argv.includes('--debug');
    const log = context().log;
    if (e instanceof BulwarkError) {
      log.error(`${e.message}${e.hint ? ` (${e.hint})` : ''} [${e.code}]`);
    } else {
      log.error(`${describeError(e)} (this is a bug in Bulwark; run with --debug for details)`);
    }
    if (debug && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
    return EXIT_ERROR;
  }
}
