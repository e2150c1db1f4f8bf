import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMirrorServer } from '../../test/support/http-mirror.js';
import type { FaultMode, MirrorServer } from '../../test/support/http-mirror.js';
import { download } from './fetch.js';
import { sha256, sha256File } from './hash.js';
import { lazyRequire, once } from './lazy.js';
import { acquireLock } from './lock.js';
import { createLogger } from './log.js';
import type { LoggerOptions } from './log.js';
import { PACKAGE_ROOT, readPackageJson } from './package-root.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-util-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('hash', () => {
  // Known answers (FIPS 180-2 examples and the empty string).
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ])('sha256(%j) and sha256File agree with the known digest', async (text, digest) => {
    expect(sha256(text)).toBe(digest);
    expect(sha256(new TextEncoder().encode(text))).toBe(digest);
    const file = path.join(tmp, `h-${text.length}`);
    fs.writeFileSync(file, text);
    expect(await sha256File(file)).toBe(digest);
  });

  it('sha256File streams a file larger than its 1 MiB chunks', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 7, 0x61);
    const file = path.join(tmp, 'big');
    fs.writeFileSync(file, data);
    expect(await sha256File(file)).toBe(sha256(data));
  });
});

describe('lazy', () => {
  it('once computes on first use only, also when the value is undefined', () => {
    let calls = 0;
    const get = once(() => {
      calls++;
      return undefined;
    });
    expect(calls).toBe(0);
    get();
    get();
    expect(calls).toBe(1);
  });

  it('lazyRequire loads the module on first call and keeps it', () => {
    const get = lazyRequire<typeof path>('node:path');
    expect(get().join('a', 'b')).toBe(path.join('a', 'b'));
    expect(get()).toBe(get());
  });
});

describe('package root', () => {
  it('is the folder of the package.json named bulwark', () => {
    expect(readPackageJson<{ name: string }>('package.json').name).toBe('bulwark');
    expect(fs.existsSync(path.join(PACKAGE_ROOT, 'schemas/report.schema.json'))).toBe(true);
  });
});

describe('lock', () => {
  it('is exclusive while held, free again once released', () => {
    const file = path.join(tmp, 'held.lock');
    const release = acquireLock(file, 'the database');
    expect(fs.readFileSync(file, 'utf8')).toBe(String(process.pid));
    release();
    expect(fs.existsSync(file)).toBe(false);
    acquireLock(file, 'the database')();
  });

  it('refuses a lock held by another live process, naming it', () => {
    const file = path.join(tmp, 'other.lock');
    fs.writeFileSync(file, String(process.ppid));
    expect(() => acquireLock(file, 'the database')).toThrow(expect.objectContaining({ code: 'BULWARK_E_DB_LOCKED', message: `the database is locked by process ${process.ppid} (${file})` }));
  });

  it.each([
    ['a process that has exited', () => String(spawnSync(process.execPath, ['-e', '']).pid)],
    ['garbage', () => 'not a pid'],
    ['an empty file', () => ''],
  ])('takes over a lock left by %s', (_what, content) => {
    const file = path.join(tmp, `stale-${_what.length}.lock`);
    fs.writeFileSync(file, content());
    const release = acquireLock(file, 'the database');
    expect(fs.readFileSync(file, 'utf8')).toBe(String(process.pid));
    release();
  });
});

describe('log', () => {
  function capture(opts: LoggerOptions): { lines: string[]; log: ReturnType<typeof createLogger> } {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    return { lines, log: createLogger({ ...opts, stream }) };
  }

  it.each([
    [{}, ['i\n', 'warning: w\n', 'error: e\n']],
    [{ quiet: true }, ['warning: w\n', 'error: e\n']],
    [{ debug: true }, ['debug: d\n', 'i\n', 'warning: w\n', 'error: e\n']],
    [{ quiet: true, debug: true }, ['debug: d\n', 'warning: w\n', 'error: e\n']],
  ])('%j writes %j', (opts, want) => {
    const { lines, log } = capture(opts);
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines).toEqual(want);
  });

  it('colours only when asked', () => {
    const { lines, log } = capture({ color: true });
    log.error('e');
    expect(lines[0]).toContain('\u001b[');
  });
});

describe('download', () => {
  let server: MirrorServer;
  const root = path.join(tmp, 'mirror');
  const body = 'x'.repeat(64 * 1024);

  beforeAll(async () => {
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'all.zip'), body);
    server = await startMirrorServer(root);
  });
  afterAll(() => server.close());

  const opts = { tmpDir: path.join(tmp, 'dl'), attempts: 2, backoffMs: 1 };

  it('streams the body to a file with its digest, size and validators', async () => {
    const r = await download(`${server.url}/all.zip`, opts);
    if (r.status !== 'ok') throw new Error(r.status);
    expect(fs.readFileSync(r.path, 'utf8')).toBe(body);
    expect([r.digest, r.bytes]).toEqual([sha256(body), body.length]);
    expect(r.etag).toMatch(/^"[0-9a-f]{40}"$/);
    expect(r.lastModified).toBeTruthy();
    expect(await download(`${server.url}/all.zip`, { ...opts, validators: { etag: r.etag } })).toEqual({ status: 'not-modified' });
  });

  it('a 404 is an answer, not a failure', async () => {
    expect(await download(`${server.url}/none.zip`, opts)).toEqual({ status: 'missing', httpStatus: 404 });
  });

  it.each<[FaultMode, RegExp, boolean]>([
    ['status-500', /HTTP 500/, true],
    ['truncate', /truncated download: got 32768 of 65536 bytes|download interrupted/, true],
    ['reset-mid-stream', /download interrupted|truncated download/, true],
  ])('%s: fails after the retries, saying why, leaving no temporary file', async (fault, message, retryable) => {
    const dir = path.join(tmp, `dl-${fault}`);
    server.faults.set('/all.zip', fault);
    try {
      const before = server.log.length;
      const err = await download(`${server.url}/all.zip`, { ...opts, tmpDir: dir }).then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'BULWARK_E_FETCH', retryable });
      expect((err as Error).message).toMatch(message);
      expect(server.log.length - before).toBe(2);
      expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([]);
    } finally {
      server.faults.delete('/all.zip');
    }
  });

  it('refuses a body over maxBytes without retrying, leaving no temporary file', async () => {
    const dir = path.join(tmp, 'dl-max');
    const before = server.log.length;
    await expect(download(`${server.url}/all.zip`, { ...opts, tmpDir: dir, maxBytes: 1000 })).rejects.toMatchObject({ code: 'BULWARK_E_FETCH', retryable: false, message: expect.stringMatching(/exceeds the limit of 1000/) });
    expect(server.log.length - before).toBe(1);
    expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([]);
  });
});
