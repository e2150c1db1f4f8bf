import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BIN } from '../../support/cli.js';

/** A free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * An HTTP proxy in front of a registry that counts the requests Bulwark makes to it, and can hold blob
 * requests (a worker stuck mid-pull, to be killed).
 */
export interface CountingProxy {
  host: string;
  requests: string[];
  /** While set, GET …/blobs/… waits; `onHeld` is told of the first one held. */
  hold: boolean;
  onHeld: (() => void) | undefined;
  release(): void;
  close(): Promise<void>;
}

export async function countingProxy(target: string): Promise<CountingProxy> {
  const [thost, tport] = target.split(':');
  const held: (() => void)[] = [];
  const state: CountingProxy = {
    host: '',
    requests: [],
    hold: false,
    onHeld: undefined,
    release() {
      state.hold = false;
      for (const h of held.splice(0)) h();
    },
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    const forward = (): void => {
      const up = http.request({ host: thost, port: Number(tport), method: req.method, path: req.url, headers: req.headers }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    };
    if (state.hold && req.url?.includes('/blobs/')) {
      held.push(forward);
      const cb = state.onHeld;
      state.onHeld = undefined;
      cb?.();
    } else forward();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}

/** Our own docker-registry (distribution 2.8) whose `notifications` endpoint is the Bulwark webhook. */
export async function notifyingRegistry(webhookUrl: string, secret: string): Promise<{ host: string; stop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-reg-notify-'));
  const port = await freePort();
  const config = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${dir}/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
notifications:
  endpoints:
    - name: bulwark
      url: ${webhookUrl}
      headers:
        Authorization: [Bearer ${secret}]
      timeout: 5s
      threshold: 3
      backoff: 1s
`;
  fs.writeFileSync(path.join(dir, 'config.yml'), config);
  const child = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', fs.openSync(path.join(dir, 'registry.log'), 'w')] });
  const host = `127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`http://${host}/v2/`);
      await r.body?.cancel();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    host,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A `bulwark worker` child process; its stderr collected. */
export function startWorker(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs a command to its end without blocking the event loop (an in-process server keeps answering). */
export async function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  let out = '';
  const child = spawn(cmd, args, { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { code, out };
}

/** skopeo copy from the OCI layout of the test images to a plain-HTTP registry; returns the pushed manifest digest. */
export async function skopeoPush(imagesDir: string, tag: string, dest: string): Promise<string> {
  const digestFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-skopeo-')), 'digest');
  const r = await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', '--digestfile', digestFile, `oci:${path.join(imagesDir, 'oci')}:${tag}`, `docker://${dest}`]);
  if (r.code !== 0) throw new Error(`skopeo copy ${tag} -> ${dest} failed: ${r.out}`);
  return fs.readFileSync(digestFile, 'utf8').trim();
}

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
