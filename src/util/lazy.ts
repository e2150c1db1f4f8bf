import { createRequire } from 'node:module';

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
