import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../util/log.js';
import { createLogger } from '../util/log.js';

/** What every command gets: global options resolved once. */
export interface CliContext {
  log: Logger;
  debug: boolean;
  quiet: boolean;
  /** Colours on stdout (never when stdout is not a TTY, or with --no-color / NO_COLOR). */
  color: boolean;
  /** Progress bars on stderr (only on a TTY, never with --quiet). */
  progress: boolean;
  cacheDir: string;
  stdout: NodeJS.WritableStream;
}

export interface GlobalOptions {
  debug?: boolean;
  quiet?: boolean;
  color?: boolean;
  cacheDir?: string;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BULWARK_CACHE_DIR) return path.resolve(env.BULWARK_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME;
  return path.join(xdg && xdg.length > 0 ? xdg : path.join(os.homedir(), '.cache'), 'bulwark');
}

export function createContext(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): CliContext {
  const noColorEnv = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const color = opts.color !== false && !noColorEnv && process.stdout.isTTY === true;
  const errColor = opts.color !== false && !noColorEnv && process.stderr.isTTY === true;
  const quiet = opts.quiet === true;
  const debug = opts.debug === true;
  return {
    log: createLogger({ quiet, debug, color: errColor }),
    debug,
    quiet,
    color,
    progress: !quiet && process.stderr.isTTY === true,
    cacheDir: opts.cacheDir ? path.resolve(opts.cacheDir) : defaultCacheDir(env),
    stdout: process.stdout,
  };
}
