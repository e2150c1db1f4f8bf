import zlib from 'node:zlib';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { Decompress as ZstdDecompress } from 'fzstd';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Compression of a blob from its first bytes. Formats we cannot read are named so the caller can say so. */
export function sniffCompression(head: Uint8Array): Compression | { unsupported: string } {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head.length >= 6 && head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0x00) {
    return { unsupported: 'xz' };
  }
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return { unsupported: 'bzip2' };
  return 'none';
}

/**
 * Streaming zstd decompression over fzstd (pure JS). Input is fed in slices so that one push cannot expand to
 * more than (slice / 4 bytes per RLE block) * 128 KiB; the byte cap downstream bounds the total.
 */
class ZstdTransform extends Transform {
  private readonly d: ZstdDecompress;
  private out: Uint8Array[] = [];
  constructor() {
    super({ highWaterMark: 1 << 20 });
    this.d = new ZstdDecompress((data) => {
      if (data.length > 0) this.out.push(data);
    });
  }
  private flushOut(): void {
    const out = this.out;
    this.out = [];
    for (const c of out) this.push(c);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      const SLICE = 16 * 1024;
      for (let i = 0; i < chunk.length; i += SLICE) {
        this.d.push(chunk.subarray(i, Math.min(chunk.length, i + SLICE)));
        this.flushOut();
      }
      cb();
    } catch (e) {
      cb(new Error(`zstd: ${(e as Error).message}`, { cause: e }));
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.d.push(new Uint8Array(0), true);
      this.flushOut();
      cb();
    } catch (e) {
      cb(new Error(`zstd: ${(e as Error).message || 'unexpected end of data'}`, { cause: e }));
    }
  }
}

/** A transform that decompresses the given format (identity for 'none'). */
export function decompressor(c: Compression): Transform {
  switch (c) {
    case 'gzip':
      // Concatenated gzip members are valid (pigz, some builders); zlib handles them.
      return zlib.createGunzip({ chunkSize: 1 << 20 });
    case 'zstd':
      return new ZstdTransform();
    case 'none':
      return new Transform({
        transform(chunk, _enc, cb) {
          cb(null, chunk);
        },
      });
  }
}
