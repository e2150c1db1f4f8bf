import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { GunzipError, gunzipFile, gunzipPoolAvailable, gunzipStream } from './gunzip-pool.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-gunzip-pool-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Compressible but not trivial (words and random noise), so that the input and the output span several 1 MiB slots. */
function sample(bytes: number, seed: number): Buffer {
  const words = ['usr/', 'lib/', 'x86_64-linux-gnu/', 'share/', 'doc/', 'changelog.Debian.gz', 'copyright', '\n', '\0'];
  const noise = crypto.randomBytes(bytes);
  const out = Buffer.alloc(bytes);
  for (let i = 0, k = seed; i < bytes; k++) {
    i += out.write(words[k % words.length] as string, i);
    i += noise.copy(out, i, i, Math.min(bytes, i + 8));
  }
  return out;
}

/** The input as a stream of pieces of the given sizes, in turn. */
async function* pieces(data: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let k = 0;
  for (let i = 0; i < data.length; ) {
    const n = sizes[k++ % sizes.length] as number;
    yield data.subarray(i, i + n);
    i += n;
  }
}

/** Copies each chunk as it comes: the chunks are views of reused memory. */
async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

describe('gunzip pool', () => {
  it('runs here', () => {
    expect(gunzipPoolAvailable()).toBe(true);
  });

  const plain = sample(5 * 1024 * 1024 + 333, 1);
  const gz = zlib.gzipSync(plain, { level: 6 });

  it.each([
    ['network-sized pieces', [65536]],
    ['one-byte and odd pieces', [1, 7, 4093, 1 << 20, 3 << 20]],
    ['the whole blob at once', [Number.MAX_SAFE_INTEGER]],
  ])('gunzips a stream fed in %s as zlib does', async (_what, sizes) => {
    const job = gunzipStream(pieces(gz, sizes));
    expect((await collect(job.chunks)).equals(plain)).toBe(true);
    expect(await job.result).toEqual({ bytesIn: gz.length, digest: undefined });
  });

  it('reads, hashes and gunzips a file range itself', async () => {
    const file = path.join(tmp, 'range');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('before'), gz, Buffer.from('after')]));
    const job = gunzipFile(file, 6, gz.length, 'sha256');
    expect((await collect(job.chunks)).equals(plain)).toBe(true);
    expect(await job.result).toEqual({ bytesIn: gz.length, digest: `sha256:${crypto.createHash('sha256').update(gz).digest('hex')}` });
  });

  it('reads concatenated gzip members as one stream', async () => {
    const a = sample(300_000, 2);
    const b = sample(2_000_000, 3);
    const job = gunzipStream(pieces(Buffer.concat([zlib.gzipSync(a), zlib.gzipSync(b)]), [100_000]));
    expect((await collect(job.chunks)).equals(Buffer.concat([a, b]))).toBe(true);
  });

  it('fails on a corrupt stream with zlib’s error, and on a truncated one', async () => {
    const bad = Buffer.from(gz);
    bad.fill(0x55, 2000, 2100);
    await expect(collect(gunzipStream(pieces(bad, [65536])).chunks)).rejects.toBeInstanceOf(GunzipError);
    await expect(collect(gunzipStream(pieces(gz.subarray(0, gz.length - 5000), [65536])).chunks)).rejects.toThrow(/unexpected end of file/);
    const file = path.join(tmp, 'short');
    fs.writeFileSync(file, gz.subarray(0, 1000));
    const job = gunzipFile(file, 0, gz.length);
    await expect(collect(job.chunks)).rejects.toThrow(/unexpected end of file/);
    await expect(job.result).rejects.toThrow();
  });

  it('hands the input stream’s own error to the consumer, untouched', async () => {
    const boom = new Error('connection reset by the registry');
    async function* failing(): AsyncGenerator<Buffer> {
      yield gz.subarray(0, 300_000);
      throw boom;
    }
    await expect(collect(gunzipStream(failing()).chunks)).rejects.toBe(boom);
  });

  it('stops the input and frees the worker when the consumer stops early; the next job is right', async () => {
    let pulled = 0;
    async function* counted(): AsyncGenerator<Buffer> {
      for await (const c of pieces(gz, [65536])) {
        pulled += c.length;
        yield c;
      }
    }
    const job = gunzipStream(counted());
    for await (const c of job.chunks) {
      expect(c.length).toBeGreaterThan(0);
      break;
    }
    await expect(job.result).rejects.toThrow(/stopped before the end/);
    expect(pulled).toBeLessThan(gz.length);
    const again = gunzipStream(pieces(gz, [65536]));
    expect((await collect(again.chunks)).equals(plain)).toBe(true);
  });

  it('runs more jobs at once than it has workers, each with its own output', async () => {
    const inputs = [4, 5, 6, 7, 8, 9].map((seed) => sample(1_500_000 + seed * 1000, seed));
    const outs = await Promise.all(inputs.map((d) => collect(gunzipStream(pieces(zlib.gzipSync(d), [50_000])).chunks)));
    outs.forEach((o, i) => expect(o.equals(inputs[i] as Buffer)).toBe(true));
  });
});
