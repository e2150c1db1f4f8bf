import fs from 'node:fs';
import path from 'node:path';
import type { Package } from '../../src/core/package.js';
import type { ScanReport } from '../../src/core/report.js';
import { expect } from 'vitest';
import type { MonitorOptions } from '../../src/server/monitor/monitor.js';
import { Monitor } from '../../src/server/monitor/monitor.js';
import type { RunningServer } from '../../src/server/server.js';
import { initServer, startServer } from '../../src/server/server.js';
import type { Store } from '../../src/server/store/store.js';
import { writeZip } from '../support/zip.js';
import type { TestStore } from './support.js';
import { freshStore } from './support.js';

/** A CVSS 3.1 vector scoring 9.8 (CRITICAL) and one scoring 7.5 (HIGH). */
export const CRITICAL_VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
export const HIGH_VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';

export interface Advisory {
  id: string;
  name: string;
  fixed: string;
  vector?: string;
  summary?: string;
  withdrawn?: string;
}

/** An OSV record as the OSV bucket publishes it (one npm package, one ECOSYSTEM range). */
export function osvRecord(a: Advisory): string {
  return JSON.stringify({
    schema_version: '1.6.0',
    id: a.id,
    modified: '2026-01-01T00:00:00Z',
    ...(a.summary ? { summary: a.summary } : {}),
    ...(a.withdrawn ? { withdrawn: a.withdrawn } : {}),
    ...(a.vector ? { severity: [{ type: 'CVSS_V3', score: a.vector }] } : {}),
    affected: [{ package: { ecosystem: 'npm', name: a.name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: a.fixed }] }] }],
  });
}

/** A mirror directory laid out like `bulwark db update --source` reads it, holding only osv/npm/all.zip. */
export async function writeMirror(dir: string, advisories: Advisory[]): Promise<string> {
  fs.mkdirSync(path.join(dir, 'osv', 'npm'), { recursive: true });
  await writeZip(path.join(dir, 'osv', 'npm', 'all.zip'), Object.fromEntries(advisories.map((a) => [`${a.id}.json`, osvRecord(a)])));
  return dir;
}

export function npmPackage(name: string, version: string): Package {
  return { ecosystem: 'npm', name, version, purl: `pkg:npm/${name}@${version}`, locations: [{ path: 'package-lock.json' }], foundBy: 'lang/npm-lock', dev: false };
}

/**
 * A report as an older CLI (or another scanner) could send: the inventory, no findings of its own, and a gate
 * decided with --fail-on none (so it says "passed" whatever the packages hold).
 */
export function inventoryReport(target: string, packages: Package[], createdAt = new Date().toISOString()): ScanReport {
  return {
    schemaVersion: '1.1.0',
    tool: { name: 'bulwark', version: '0.0.1-old' },
    createdAt,
    target: { kind: 'directory', name: target },
    os: null,
    database: null,
    packages,
    findings: [],
    unknowns: [],
    errors: [],
    gate: { failOn: 'NONE', includeUnfixed: false, excludeDev: false, passed: true, reason: 'fail-on none', violations: [] },
  };
}

/**
 * A JSON client of a running server: the admin key unless `token` is given; a non-2xx answer fails the test with
 * the method, path, status and body. `server` and `adminKey` are read at each call (they are set in beforeAll).
 */
export function apiClient(server: () => RunningServer, adminKey: () => string) {
  return async <T>(p: string, init: RequestInit & { token?: string } = {}): Promise<T> => {
    const res = await fetch(server().url + p, { ...init, headers: { authorization: `Bearer ${init.token ?? adminKey()}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
    const text = await res.text();
    expect(res.ok, `${init.method ?? 'GET'} ${p}: ${res.status} ${text}`).toBe(true);
    return JSON.parse(text) as T;
  };
}

/** Until the ingestion queue and the monitor's re-match jobs are both empty. */
export async function settleServer(server: RunningServer, attempts = 400): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    const q = await server.store.queue.stats();
    const j = await server.store.monitor.jobCounts();
    if ((q.queued ?? 0) + (q.processing ?? 0) === 0 && (j.queued ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the server did not settle');
}

/**
 * Ingestion, re-matching and delivery all done: the queue and the jobs empty and no delivery pending, six checks
 * in a row (two notifier windows with nothing to do: the outbox has been read past the last event).
 */
export async function settleWithNotifications(server: RunningServer): Promise<void> {
  let quiet = 0;
  for (let i = 0; i < 600; i++) {
    const q = await server.store.queue.stats();
    const j = await server.store.monitor.jobCounts();
    const d = await server.store.notify.counts();
    quiet = (q.queued ?? 0) + (q.processing ?? 0) + (j.queued ?? 0) + (d.pending ?? 0) === 0 ? quiet + 1 : 0;
    if (quiet >= 6) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the server did not settle');
}

/**
 * The server's advisory database from `mirror`, then `projects` x `targets` inventories each holding qs 6.0.0 and
 * `fillers` other packages, all matched (no job left): the seed of the re-match crash and worker specs.
 */
export async function seedQsInventories(store: Store, o: { cacheDir: string; mirror: string; prefix: string; projects: number; targets: number; fillers: number }): Promise<void> {
  const seed = new Monitor(store, { cacheDir: o.cacheDir, dbSource: o.mirror, background: false });
  await seed.refresh();
  const filler = Array.from({ length: o.fillers }, (_, i) => npmPackage(`filler-${i}`, '1.0.0'));
  for (let p = 0; p < o.projects; p++) {
    const projectId = await store.projects.create(`${o.prefix}-${p}`, null);
    for (let k = 0; k < o.targets; k++) await store.scans.store(projectId, inventoryReport(`branch-${k}`, [npmPackage('qs', '6.0.0'), ...filler]));
  }
  await seed.drain();
  await seed.stop();
}

/** A security-profile repository in `dir`: defaults failing on HIGH, plus `projects/<name>.yaml` for each entry. */
export function writeProfileRepo(dir: string, projects: Record<string, string> = {}): string {
  fs.mkdirSync(path.join(dir, 'projects'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'defaults.yaml'), 'gate:\n  failOn: high\n');
  for (const [name, yaml] of Object.entries(projects)) fs.writeFileSync(path.join(dir, 'projects', `${name}.yaml`), yaml);
  return dir;
}

/**
 * A fresh store on `engine`, its admin key, and a server monitoring it: advisories from `dbSource` (the cache under
 * `work`), profiles from `profileRepo` if given; refreshes, syncs and expiry checks only when a test asks. `server`:
 * the notifier's or the export sink's options.
 */
export async function startMonitoredServer(
  engine: 'sqlite' | 'postgres',
  o: { work: string; dbSource: string; profileRepo?: string; monitor?: Partial<MonitorOptions>; server?: Pick<Parameters<typeof startServer>[0], 'notify' | 'export'> },
): Promise<{ t: TestStore; server: RunningServer; adminKey: string }> {
  const t = await freshStore(engine);
  const adminKey = (await initServer(t.options)).apiKey;
  const server = await startServer({
    ...t.options,
    port: 0,
    logger: false,
    validationThreads: 0,
    worker: { idleMs: 20 },
    monitor: {
      cacheDir: path.join(o.work, 'advisory'),
      dbSource: o.dbSource,
      dbRefreshMs: 0,
      ...(o.profileRepo !== undefined ? { profileRepo: o.profileRepo, profilePollMs: 0 } : {}),
      expiryCheckMs: 0,
      idleMs: 20,
      ...o.monitor,
    },
    ...o.server,
  });
  return { t, server, adminKey };
}
