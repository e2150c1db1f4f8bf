import v8 from 'node:v8';
import { Command, CommanderError } from 'commander';
import { BulwarkError, describeError } from '../core/errors.js';
import { COMMANDS } from './commands/index.js';
import type { CliContext, GlobalOptions } from './context.js';
import { createContext } from './context.js';
import { VERSION } from '../version.js';
import { REGISTRY_TARGET_PREFIXES } from '../source/registry/reference.js';

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

const SYSTEM_ERRORS: Record<string, { what: string; hint: string }> = {
  EACCES: { what: 'permission denied', hint: 'check the permissions, or point --cache-dir (BULWARK_CACHE_DIR) at a directory you can write' },
  EPERM: { what: 'operation not permitted', hint: 'check the permissions, or point --cache-dir (BULWARK_CACHE_DIR) at a directory you can write' },
  EROFS: { what: 'read-only filesystem', hint: 'point --cache-dir (BULWARK_CACHE_DIR) at a writable directory' },
  ENOSPC: { what: 'no space left on the device', hint: 'free some space or use another --cache-dir' },
  EDQUOT: { what: 'disk quota exceeded', hint: 'free some space or use another --cache-dir' },
};

/**
 * An error of the operating system (permissions, read-only or full disk) is the environment, not a bug:
 * one line naming the path and what to do. Undefined for anything else.
 */
export function systemError(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const known = err && typeof err.code === 'string' ? SYSTEM_ERRORS[err.code] : undefined;
  if (!known) {
    // better-sqlite3 reports a read-only database file with its own code
    const code = (e as { code?: unknown } | undefined)?.code;
    if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN') return `cannot write the advisory database: ${(e as Error).message} (${SYSTEM_ERRORS.EACCES!.hint}) [BULWARK_E_IO]`;
    return undefined;
  }
  const where = err!.path ? `${err!.path}: ` : '';
  const op = err!.syscall ? ` (${err!.syscall})` : '';
  return `${where}${known.what}${op} (${known.hint}) [BULWARK_E_IO]`;
}

/**
 * A scan of a registry image gunzips its layers on worker threads, which take tens of milliseconds to start: start
 * them now, while the command's code loads and the manifests come (`prewarmGunzipPool`). Only a hint: the scan
 * decides for itself, and an idle worker never keeps the process alive.
 */
function prewarmForRegistryScan(argv: readonly string[]): void {
  if (requestedCommand(argv) !== 'scan') return;
  if (!argv.some((a) => REGISTRY_TARGET_PREFIXES.some((p) => a.startsWith(p)))) return;
  void import('../source/image/gunzip-pool.js').then((m) => m.prewarmGunzipPool(m.DEFAULT_CONCURRENT_LAYERS)).catch(() => undefined);
}

/**
 * The `bulwark` process (bin/bulwark.js): runs the command, then ends. A scan ends it as soon as its output has
 * reached stdout and stderr (`process.exit`), rather than when Node has freed its heap object by object: 15–30 ms
 * after a scan of a 5,000-package lockfile, a tenth of the whole. A scan's work is all done when `main` returns
 * (report written, databases closed, the image source closed; a registry source waits for its downloads), and
 * nothing else keeps a scan's process: the gunzip workers never do. Other commands end when nothing is left to do.
 */
export async function runCli(argv: string[]): Promise<void> {
  // A command builds its inventory and report in one go and keeps them to the end, so most of what it allocates
  // survives each scavenge: the young generation grows 8-fold at a time instead of V8's 2-fold, and fewer scavenges
  // copy the same survivors (a 5,000-package lockfile: 7 collections instead of 11). Read by V8 whenever it grows
  // the young generation, so it takes effect when set at run time. The price: built-ins loaded after a flag changes
  // are compiled without Node's code cache (zlib and crypto for an image); see docs/performance.md for both measured.
  v8.setFlagsFromString('--semi-space-growth-factor=8');
  // A reader that goes away (`bulwark scan … | head`) ends the output, not the command with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  const code = await main(argv);
  if (requestedCommand(argv) !== 'scan') {
    process.exitCode = code;
    return;
  }
  // stdout and stderr are non-blocking pipes: exit only once what was written to them has reached the kernel
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

/** Settles once everything written to the stream before has been handed over (or the stream has failed). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) resolve();
    else stream.write('', () => resolve());
  });
}

export async function main(argv: string[]): Promise<number> {
  prewarmForRegistryScan(argv);
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
    const sys = systemError(e);
    if (e instanceof BulwarkError) {
      log.error(`${e.message}${e.hint ? ` (${e.hint})` : ''} [${e.code}]`);
    } else if (sys) {
      log.error(sys);
    } else {
      log.error(`${describeError(e)} (this is a bug in Bulwark; run with --debug for details)`);
    }
    if (debug && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
    return EXIT_ERROR;
  }
}
