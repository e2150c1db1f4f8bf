import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

import { PACKAGE_ROOT } from '../util/package-root.js';

const require = createRequire(path.join(PACKAGE_ROOT, 'package.json'));

/** The dashboard sources: `ui/` at the package root (the same relative place from src/server and dist/server). */
export const UI_DIR = path.join(PACKAGE_ROOT, 'ui');

interface Asset {
  file: string;
  type: string;
}

/** A fixed list of files: nothing outside it is ever read from disk. */
function assets(): Record<string, Asset> {
  const vendor = (p: string) => {
    try {
      return require.resolve(p);
    } catch {
      return '';
    }
  };
  return {
    '/': { file: path.join(UI_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
    '/ui/app.js': { file: path.join(UI_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
    '/ui/style.css': { file: path.join(UI_DIR, 'style.css'), type: 'text/css; charset=utf-8' },
    '/ui/vendor/uplot.js': { file: vendor('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
    '/ui/vendor/uplot.css': { file: vendor('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
  };
}

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Serves the dashboard: a hand-written single-page app plus the vendored chart library (uPlot). */
export function registerDashboard(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>();
  for (const [route, asset] of Object.entries(assets())) {
    app.get(route, { config: { auth: 'public' } }, async (_req, reply) => {
      let data = cache.get(route);
      if (!data) {
        if (!asset.file || !fs.existsSync(asset.file)) return reply.code(404).send({ error: { code: 'not_found', message: `dashboard file missing: ${route}` } });
        data = fs.readFileSync(asset.file);
        cache.set(route, data);
      }
      reply.header('content-type', asset.type);
      reply.header('cache-control', route === '/' ? 'no-cache' : 'public, max-age=300');
      if (route === '/') reply.header('content-security-policy', CSP);
      return reply.send(data);
    });
  }
}
