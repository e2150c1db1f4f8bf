import { createRequire } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';

const require = createRequire(import.meta.url);

/** A value computed on first use, then kept. */
export function once<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
}

/**
 * A library loaded on first use (synchronously, through require), so that start-up does not pay for
 * libraries a run never needs: a scan of an npm project does not load the XML or TOML parsers.
 */
export function lazyRequire<T>(id: string): () => T {
  return once(() => require(id) as T);
}

/** node:worker_threads, loaded when the first worker starts: a scan that needs none (a plain archive, a lockfile) does not pay for it. */
export const workerThreads = lazyRequire<typeof WorkerThreads>('node:worker_threads');
