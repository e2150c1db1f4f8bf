import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import type { StoreOptions } from '../../src/server/store/store.js';

/** PostgreSQL for tests: BULWARK_TEST_PG, else the local default. */
export const PG_ADMIN_URL = process.env.BULWARK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Whether PostgreSQL answers. In CI (CI=true) an unreachable server is an error, never a silent skip;
 * locally the PostgreSQL variants are skipped with a message.
 */
export async function probePostgres(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (e) {
    const msg = `PostgreSQL unreachable at ${PG_ADMIN_URL}: ${e instanceof Error ? e.message : String(e)}`;
    if (process.env.CI === 'true') throw new Error(`${msg} (CI must run the PostgreSQL tests; .ci/run starts the service)`, { cause: e });
    console.warn(`SKIPPING PostgreSQL server tests: ${msg}. Start PostgreSQL or set BULWARK_TEST_PG to run them.`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface TestStore {
  options: StoreOptions;
  cleanup(): Promise<void>;
}

/** A fresh, empty store: a temp dir for SQLite, a new database bulwark_test_<random> on PostgreSQL. */
export async function freshStore(engine: 'sqlite' | 'postgres'): Promise<TestStore> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-server-'));
  if (engine === 'sqlite') {
    return { options: { dataDir }, cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `bulwark_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = '/' + name;
  return {
    options: { dataDir, databaseUrl: url.toString(), poolSize: 5 },
    cleanup: async () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export const PG_AVAILABLE = await probePostgres();

/** The engines to run a suite on. */
export const ENGINES = [
  { engine: 'sqlite' as const, skip: false },
  { engine: 'postgres' as const, skip: !PG_AVAILABLE },
];

/**
 * A TCP proxy in front of PostgreSQL, to take the database away from the server and give it back: `down()`
 * refuses new connections and cuts the open ones (an outage, a failover), `up()` serves again.
 */
export async function pgProxy(databaseUrl: string): Promise<{ url: string; down(): Promise<void>; up(): Promise<void>; close(): Promise<void> }> {
  const target = new URL(databaseUrl);
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const down = async () => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };
  await listen();
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return { url: url.toString(), down, up: listen, close: down };
}
