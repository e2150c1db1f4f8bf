import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';

export type FaultMode = 'none' | 'truncate' | 'reset-mid-stream' | 'status-500' | 'hang';

export interface MirrorServer {
  url: string;
  /** Requests seen, as "METHOD path status". */
  log: string[];
  /** Per-path fault, applied to every request for that path while set. */
  faults: Map<string, FaultMode>;
  close(): Promise<void>;
}

/**
 * A static HTTP server over a mirror directory that speaks like a CDN (ETag, Last-Modified, 304) and can
 * misbehave on demand: truncate a body, reset the connection mid-stream, answer 500, or hang.
 */
export async function startMirrorServer(root: string): Promise<MirrorServer> {
  const log: string[] = [];
  const faults = new Map<string, FaultMode>();
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(root, ...urlPath.split('/').filter((p) => p && p !== '..'));
    // Faults below destroy sockets on purpose; the writes that follow must not become unhandled errors.
    res.on('error', () => {});
    req.on('error', () => {});
    const record = (status: number): void => {
      log.push(`${req.method} ${urlPath} ${status}`);
    };
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      record(404);
      res.writeHead(404).end('not found');
      return;
    }
    const body = fs.readFileSync(file);
    const etag = `"${crypto.createHash('sha1').update(body).digest('hex')}"`;
    const lastModified = fs.statSync(file).mtime.toUTCString();
    const fault = faults.get(urlPath) ?? 'none';
    if (fault === 'status-500') {
      record(500);
      res.writeHead(500).end('internal error');
      return;
    }
    if (fault === 'hang') {
      record(0);
      return;
    }
    if (req.headers['if-none-match'] === etag) {
      record(304);
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length), etag, 'last-modified': lastModified });
    if (fault === 'truncate') {
      record(200);
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      res.socket?.end();
      return;
    }
    if (fault === 'reset-mid-stream') {
      record(200);
      res.write(body.subarray(0, Math.floor(body.length / 3)), () => res.socket?.destroy());
      return;
    }
    record(200);
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
