/**
 * RandomAccessFile helpers for extractors: a view over bytes already in memory (what `extract` hands over), a
 * window of another file (a stored entry of a zip), and a chunked search that never holds more than one chunk.
 */
import type { RandomAccessFile } from '../types.js';

/** Bytes in memory as a RandomAccessFile (reads are views, not copies). */
export function bytesFile(content: Uint8Array): RandomAccessFile {
  return {
    size: content.byteLength,
    read(offset, length) {
      const start = Math.max(0, Math.min(offset, content.byteLength));
      return Promise.resolve(content.subarray(start, Math.min(content.byteLength, start + Math.max(0, length))));
    },
  };
}

/** The bytes [start, start + length) of another file, as a file of its own. */
export function sliceFile(file: RandomAccessFile, start: number, length: number): RandomAccessFile {
  const size = Math.max(0, Math.min(length, file.size - start));
  return {
    size,
    read(offset, n) {
      const from = Math.max(0, Math.min(offset, size));
      return file.read(start + from, Math.max(0, Math.min(n, size - from)));
    },
  };
}

/** Bytes as a Buffer over the same memory (Buffer.from(Uint8Array) would copy them). */
export function bufferView(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `file.read` as a Buffer, without a copy. */
export async function readBuffer(file: RandomAccessFile, offset: number, length: number): Promise<Buffer> {
  return bufferView(await file.read(offset, length));
}

/** Reads exactly `length` bytes at `offset`, or undefined when the file ends first. */
export async function readExactly(file: RandomAccessFile, offset: number, length: number): Promise<Uint8Array | undefined> {
  if (offset < 0 || length < 0 || offset + length > file.size) return undefined;
  const b = await file.read(offset, length);
  return b.byteLength === length ? b : undefined;
}

/** Reads the whole file into memory (for callers that checked its size first). */
export async function readAll(file: RandomAccessFile): Promise<Uint8Array> {
  return file.read(0, file.size);
}

export const SEARCH_CHUNK_BYTES = 1 << 20;

/**
 * Visits every occurrence of each needle in the file, in file order per chunk, reading one chunk at a time
 * (consecutive chunks overlap by the longest needle less one byte, so no occurrence is missed or seen twice).
 * `visit` returns true to stop.
 */
export async function searchFile(
  file: RandomAccessFile,
  needles: readonly Uint8Array[],
  visit: (needle: number, offset: number) => boolean | Promise<boolean>,
  chunkBytes = SEARCH_CHUNK_BYTES,
): Promise<void> {
  const longest = Math.max(1, ...needles.map((n) => n.byteLength));
  const step = Math.max(chunkBytes, longest * 2);
  for (let pos = 0; pos < file.size; pos += step - (longest - 1)) {
    const chunk = await readBuffer(file, pos, step);
    const hits: { needle: number; at: number }[] = [];
    needles.forEach((n, i) => {
      for (let at = chunk.indexOf(n); at >= 0; at = chunk.indexOf(n, at + 1)) {
        // one starting in the overlap is found again by the next chunk
        if (at > step - longest && pos + step < file.size) break;
        hits.push({ needle: i, at: pos + at });
      }
    });
    hits.sort((a, b) => a.at - b.at || a.needle - b.needle);
    for (const h of hits) if (await visit(h.needle, h.at)) return;
    if (pos + chunk.byteLength >= file.size) return;
  }
}
