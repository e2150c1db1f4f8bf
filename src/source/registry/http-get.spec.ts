import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet } from './http-get.js';

describe('httpGet (blob bodies over node:http)', () => {
  const seen: { server: string; url: string; authorization: string | undefined }[] = [];
  let storage: http.Server;
  let registry: http.Server;
  let storageBase = '';
  let registryBase = '';

  const listen = async (s: http.Server): Promise<string> => {
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  };

  beforeAll(async () => {
    storage = http.createServer((req, res) => {
      seen.push({ server: 'storage', url: req.url ?? '', authorization: req.headers.authorization });
      res.writeHead(200).end('from storage');
    });
    registry = http.createServer((req, res) => {
      const url = req.url ?? '';
      seen.push({ server: 'registry', url, authorization: req.headers.authorization });
      if (url === '/elsewhere') res.writeHead(307, { location: `${storageBase}/signed?x=1` }).end();
      else if (url === '/here') res.writeHead(302, { location: '/final' }).end();
      else if (url === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else if (url === '/silent') res.writeHead(200, { 'content-length': 10 }).write('12345');
      else res.writeHead(200).end(`registry ${url}`);
    });
    storageBase = await listen(storage);
    registryBase = await listen(registry);
  });
  afterAll(async () => {
    registry.closeAllConnections();
    await Promise.all([new Promise((r) => storage.close(r)), new Promise((r) => registry.close(r))]);
  });

  const text = async (res: http.IncomingMessage): Promise<string> => {
    const parts: Buffer[] = [];
    for await (const c of res) parts.push(c as Buffer);
    return Buffer.concat(parts).toString();
  };

  it('follows a redirect to another origin without the Authorization header', async () => {
    seen.length = 0;
    const res = await httpGet(`${registryBase}/elsewhere`, { authorization: 'Bearer t' }, 5000);
    expect(res.statusCode).toBe(200);
    expect(await text(res)).toBe('from storage');
    expect(seen).toEqual([
      { server: 'registry', url: '/elsewhere', authorization: 'Bearer t' },
      { server: 'storage', url: '/signed?x=1', authorization: undefined },
    ]);
  });

  it('keeps the Authorization header on a redirect within the origin', async () => {
    seen.length = 0;
    const res = await httpGet(`${registryBase}/here`, { authorization: 'Bearer t' }, 5000);
    expect(await text(res)).toBe('registry /final');
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer t', 'Bearer t']);
  });

  it('gives up after 10 redirects', async () => {
    await expect(httpGet(`${registryBase}/loop`, {}, 5000)).rejects.toThrow(/more than 10 redirects/);
  });

  it('a body that stalls fails after the timeout', async () => {
    const res = await httpGet(`${registryBase}/silent`, {}, 200);
    await expect(text(res)).rejects.toThrow();
  });
});
