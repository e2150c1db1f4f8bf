import { Command, CommanderError } from 'commander';
import { BulwarkError, describeError } from '../core/errors.js';
import { COMMANDS } from './commands/index.js';
import type { CliContext, GlobalOptions } from './context.js';
import { createContext } from './context.js';
import { VERSION } from '../version.js';

import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';

export function buildProgram(): { program: Command; context: () => CliContext } {
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
  for (const cmd of COMMANDS) cmd.register(program, context);
  return { program, context };
}

export async function main(argv: string[]): Promise<number> {
  const { program, context } = buildProgram();
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
