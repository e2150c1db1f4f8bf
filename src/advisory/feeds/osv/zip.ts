import fs from 'node:fs';
import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';

/** An entry larger than this is refused (a decompression bomb, not an advisory). */
export const MAX_ENTRY_BYTES = 32 * 1024 * 1024;

export interface ZipTextEntry {
  name: string;
  text: string;
}

class ZipReadError extends Error {}

const WINDOW = 1024 * 1024;
const WINDOWS = 4;

/**
 * Serves yauzl's reads from a few windows of the file, read synchronously. yauzl alternates between
 * the central directory (at the end) and the entries (front to back), so a handful of windows serve
 * almost every read; this avoids one thread-pool round trip per small read, which made a
 * 13,000-entry export spend seconds waiting.
 */
class WindowedFileReader extends yauzl.RandomAccessReader {
  /** Most recently used last. */
  private windows: { start: number; data: Buffer }[] = [];

  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {
    super();
  }

  private slice(start: number, end: number): Buffer {
    for (let i = this.windows.length - 1; i >= 0; i--) {
      const w = this.windows[i]!;
      if (start >= w.start && end <= w.start + w.data.length) {
        if (i !== this.windows.length - 1) {
          this.windows.splice(i, 1);
          this.windows.push(w);
        }
        return w.data.subarray(start - w.start, end - w.start);
      }
    }
    const length = end - start;
    if (length > WINDOW / 2) {
      const buf = Buffer.allocUnsafe(length);
      const n = fs.readSync(this.fd, buf, 0, length, start);
      return buf.subarray(0, n);
    }
    const buf = Buffer.allocUnsafe(Math.max(0, Math.min(WINDOW, this.size - start)));
    const n = fs.readSync(this.fd, buf, 0, buf.length, start);
    const w = { start, data: buf.subarray(0, n) };
    this.windows.push(w);
    if (this.windows.length > WINDOWS) this.windows.shift();
    return w.data.subarray(0, Math.min(length, n));
  }

  override _readStreamForRange(start: number, end: number): Readable {
    try {
      return Readable.from([Buffer.from(this.slice(start, end))]);
    } catch (e) {
      const r = new Readable({ read() {} });
      process.nextTick(() => r.destroy(e as Error));
      return r;
    }
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    try {
      const data = this.slice(position, position + length);
      if (data.length < length) throw new Error(`unexpected end of file at byte ${position + data.length}`);
      data.copy(buffer, offset);
      process.nextTick(callback, null);
    } catch (e) {
      process.nextTick(callback, e as Error);
    }
  }

  override close(callback: (err: Error | null) => void): void {
    try {
      fs.closeSync(this.fd);
      process.nextTick(callback, null);
    } catch (e) {
      process.nextTick(callback, e as Error);
    }
  }
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    let fd: number;
    let size: number;
    try {
      fd = fs.openSync(path, 'r');
      size = fs.fstatSync(fd).size;
    } catch (e) {
      reject(new ZipReadError(`cannot read: ${(e as Error).message}`));
      return;
    }
    const reader = new WindowedFileReader(fd, size);
    yauzl.fromRandomAccessReader(reader, size, { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) {
        reader.close(() => {});
        reject(new ZipReadError(`not a readable zip archive: ${err?.message ?? 'unknown error'}`));
      } else resolve(zip);
    });
  });
}

function readRaw(zip: ZipFile, entry: Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // yauzl refuses `decompress` for a STORED entry (method 0): its raw bytes are the data already.
    const options = entry.compressionMethod === 0 ? {} : { decompress: false };
    zip.openReadStream(entry, options, (err, stream) => {
      if (err || !stream) {
        reject(new ZipReadError(`entry ${entry.fileName}: ${err?.message ?? 'cannot open'}`));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (e) => reject(new ZipReadError(`entry ${entry.fileName}: ${e.message}`)));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

/**
 * Reads one entry: the compressed bytes are inflated in one synchronous call (entries are small; a
 * stream per entry costs a thread-pool round trip each), bounded by MAX_ENTRY_BYTES, and checked
 * against the size and CRC-32 the archive records.
 */
async function readEntry(zip: ZipFile, entry: Entry): Promise<Buffer> {
  if (entry.uncompressedSize > MAX_ENTRY_BYTES) {
    throw new ZipReadError(`entry ${entry.fileName} is ${entry.uncompressedSize} bytes uncompressed (limit ${MAX_ENTRY_BYTES})`);
  }
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw new ZipReadError(`entry ${entry.fileName}: unsupported compression method ${entry.compressionMethod}`);
  }
  const raw = await readRaw(zip, entry);
  let data: Buffer;
  try {
    data = entry.compressionMethod === 0 ? raw : zlib.inflateRawSync(raw, { maxOutputLength: MAX_ENTRY_BYTES });
  } catch (e) {
    throw new ZipReadError(`entry ${entry.fileName}: cannot inflate (${(e as Error).message})`);
  }
  if (data.length !== entry.uncompressedSize) {
    throw new ZipReadError(`entry ${entry.fileName}: ${data.length} bytes, the archive says ${entry.uncompressedSize}`);
  }
  if (zlib.crc32(data) !== entry.crc32) throw new ZipReadError(`entry ${entry.fileName}: CRC-32 mismatch`);
  return data;
}

/**
 * Streams the `.json` entries of a zip one at a time (memory holds one entry, never the archive).
 * A damaged archive or entry (bad central directory, CRC mismatch, truncated data) throws: a partly
 * read export must not pass for a complete one.
 */
export async function* readZipJsonEntries(path: string): AsyncGenerator<ZipTextEntry> {
  const zip = await openZip(path);
  const next = (): Promise<Entry | null> =>
    new Promise((resolve, reject) => {
      const onEntry = (e: Entry): void => {
        cleanup();
        resolve(e);
      };
      const onEnd = (): void => {
        cleanup();
        resolve(null);
      };
      const onError = (e: Error): void => {
        cleanup();
        reject(new ZipReadError(`damaged zip archive: ${e.message}`));
      };
      const cleanup = (): void => {
        zip.off('entry', onEntry);
        zip.off('end', onEnd);
        zip.off('error', onError);
      };
      zip.on('entry', onEntry);
      zip.on('end', onEnd);
      zip.on('error', onError);
      zip.readEntry();
    });
  try {
    for (let entry = await next(); entry; entry = await next()) {
      if (entry.fileName.endsWith('/') || !entry.fileName.endsWith('.json')) continue;
      const data = await readEntry(zip, entry);
      yield { name: entry.fileName, text: data.toString('utf8') };
    }
  } finally {
    zip.close();
  }
}

export { ZipReadError };
