import type { FastifyBaseLogger } from 'fastify';
import type { Logger } from '../util/log.js';

/**
 * The server's structured log calls (`log.warn({ …fields }, 'message')`, as Fastify's pino logger takes them)
 * onto a CLI logger: the message, then the fields as JSON. For server parts run by a CLI command (`bulwark worker`).
 */
export function serverLog(log: Logger): FastifyBaseLogger {
  const line = (a: unknown, b: unknown): string => {
    if (typeof a === 'string') return a;
    const msg = typeof b === 'string' ? b : '';
    const fields = a !== null && typeof a === 'object' && Object.keys(a).length > 0 ? ` ${JSON.stringify(a)}` : '';
    return `${msg}${fields}`;
  };
  const at = (write: (m: string) => void) => (a: unknown, b?: unknown) => write(line(a, b));
  const adapted = {
    level: 'info',
    fatal: at((m) => log.error(m)),
    error: at((m) => log.error(m)),
    warn: at((m) => log.warn(m)),
    info: at((m) => log.info(m)),
    debug: at((m) => log.debug(m)),
    trace: at((m) => log.debug(m)),
    silent: () => {},
    child: () => adapted,
  };
  return adapted as unknown as FastifyBaseLogger;
}
