import pc from 'picocolors';

/** Logs go to stderr; results go to stdout. */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface LoggerOptions {
  quiet?: boolean;
  debug?: boolean;
  color?: boolean;
  stream?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const stream = opts.stream ?? process.stderr;
  const colors = pc.createColors(opts.color ?? false);
  const write = (line: string): void => {
    stream.write(line + '\n');
  };
  return {
    debug: (m) => {
      if (opts.debug) write(colors.dim(`debug: ${m}`));
    },
    info: (m) => {
      if (!opts.quiet) write(m);
    },
    warn: (m) => {
      write(colors.yellow(`warning: ${m}`));
    },
    error: (m) => {
      write(colors.red(`error: ${m}`));
    },
  };
}

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
