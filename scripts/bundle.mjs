// Bundles the compiled CLI (dist/) into bundle/: a handful of files instead of hundreds of modules, so that
// `bulwark scan` starts in a fraction of the time (Node 20's ESM loader pays per file). Each lazily imported
// command or format stays its own chunk. Native addons and the server's libraries stay external.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'bundle');
fs.rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: path.join(root, 'dist/cli/main.js') },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  sourcemap: 'linked',
  logLevel: 'warning',
  // Native addons, and libraries that load files relative to themselves, are resolved from node_modules.
  external: ['better-sqlite3', 'pg', 'pg-native', 'playwright-core', 'fastify', '@fastify/*', '@cyclonedx/*', 'kysely', 'uplot'],
  banner: { js: "import { createRequire as __bulwarkCreateRequire } from 'node:module'; const require = __bulwarkCreateRequire(import.meta.url);" },
});
