import crypto from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describeError } from '../../core/errors.js';
import { decompressor, sniffCompression } from './decompress.js';
import type { Compression } from './decompress.js';
import { ImageArchiveError } from './errors.js';
import { gunzipFile, gunzipPoolAvailable, gunzipStream } from './gunzip-pool.js';
import type { GunzipInput } from './gunzip-pool.js';
import { OFFLOAD_MIN_BYTES, hashFileRange } from './hash-pool.js';
import type { RangeDigest } from './hash-pool.js';
import { normalizeEntryPath, resolveHardlinkTarget, resolveSymlinkTarget } from './paths.js';
import { TarWalker } from './tar-walk.js';
import type { TarHeader, TarSink } from './tar-walk.js';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_LAYER_BYTES } from './types.js';
import type { LayerEntry, LayerWalkResult, OnFileFn, PositionalFile, WalkLayerOptions, WantFn } from './types.js';

/** A byte range of a file on disk holding one layer blob (a whole file, or a member of an outer tar). */
export interface BlobRange {
  file: string;
  start: number;
  length: number;
  /** The bytes were hashed and matched their digest in this process already (a blob just downloaded). */
  verified?: boolean;
}

export interface LayerWalkContext {
  /** How errors name the layer: its digest. */
  label: string;
  /** When set, the raw blob bytes are hashed while streaming and must match (`sha256:<hex>`). */
  verifyDigest?: string | undefined;
}

/** Contents of wanted files kept for hard links to them, up to this many bytes per layer. */
const HARDLINK_RETAIN_BYTES = 64 * 1024 * 1024;

async function readHead(file: string, start: number, length: number): Promise<Uint8Array> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(6, length));
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Reads a file range in chunks, the next read in flight while the caller works on the current chunk. With `reuse`,
 * two buffers take turns: the caller must be done with a chunk when it asks for the one after next (a synchronous
 * consumer is); this spares the allocation, page faults and garbage of a fresh buffer per chunk.
 */
async function* readRange(file: string, start: number, length: number, reuse: boolean, chunkSize = READ_CHUNK): AsyncGenerator<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  let pending: Promise<Buffer> | undefined;
  const ring = reuse ? [Buffer.allocUnsafeSlow(Math.min(chunkSize, length)), Buffer.allocUnsafeSlow(Math.min(chunkSize, length))] : [];
  let turn = 0;
  try {
    let pos = start;
    const end = start + length;
    const next = (): Promise<Buffer> | undefined => {
      if (pos >= end) return undefined;
      const n = Math.min(chunkSize, end - pos);
      const at = pos;
      pos += n;
      const b = reuse ? (ring[turn++ & 1] as Buffer) : Buffer.allocUnsafe(n);
      return fh.read(b, 0, n, at).then((r) => (r.bytesRead === b.length ? b : b.subarray(0, r.bytesRead)));
    };
    pending = next();
    while (pending) {
      const b = await pending;
      pending = undefined;
      if (b.length === 0) break; // the file is shorter than the range: the caller sees the byte count
      pending = next();
      yield b;
    }
  } finally {
    await pending?.catch(() => undefined);
    await fh.close();
  }
}

const READ_CHUNK = 1 << 20;

/** Walks one layer blob held in a file (range): sniffs the compression, streams, never writes to disk. */
export async function walkLayerBlob(
  blob: BlobRange,
  ctx: LayerWalkContext,
  want: WantFn,
  onFile: OnFileFn,
  opts?: WalkLayerOptions,
): Promise<LayerWalkResult> {
  let head: Uint8Array;
  try {
    head = blob.length === 0 ? new Uint8Array(0) : await readHead(blob.file, blob.start, blob.length);
  } catch (e) {
    throw new ImageArchiveError(`layer ${ctx.label}: cannot read ${blob.file}: ${describeError(e)}`, { cause: e, subject: ctx.label });
  }
  if (blob.length === 0) {
    if (ctx.verifyDigest !== undefined && ctx.verifyDigest !== EMPTY_SHA256) {
      throw new ImageArchiveError(`layer ${ctx.label}: blob is empty`, { subject: ctx.label });
    }
    return { whiteouts: [], opaqueDirs: [], refused: [], bytes: 0 };
  }
  const compression = sniffCompression(head);
  if (typeof compression !== 'string') {
    throw new ImageArchiveError(`layer ${ctx.label}: ${compression.unsupported}-compressed layers are not supported`, {
      subject: ctx.label,
      hint: 'supported layer compressions: gzip, zstd, none',
    });
  }
  // A gzip blob is read, hashed and gunzipped on a worker thread (`gunzip-pool`): this thread only walks the tar.
  if (compression === 'gzip' && gunzipPoolAvailable()) return walkLayerStream({ gzipFile: blob }, compression, ctx, want, onFile, opts, blob.length);
  // A large blob is hashed on a worker thread while this thread walks it; the digest is checked when both are done.
  const algo = hashAlgo(ctx.verifyDigest);
  let hashed: Promise<RangeDigest> | undefined;
  if (algo !== undefined && blob.length >= OFFLOAD_MIN_BYTES) {
    hashed = hashFileRange(blob.file, blob.start, blob.length, algo);
    hashed.catch(() => undefined); // awaited below, unless the walk fails first
  }
  // A plain tar that is not hashed is read header by header: the bodies nobody wants are passed over unread.
  const raw = compression === 'none' && hashed === undefined && ctx.verifyDigest === undefined ? { plainTar: blob } : readRange(blob.file, blob.start, blob.length, compression === 'none');
  const result = await walkLayerStream(
    raw,
    compression,
    hashed ? { label: ctx.label } : ctx,
    want,
    onFile,
    opts,
    blob.length,
  );
  if (hashed && ctx.verifyDigest !== undefined) {
    const got = await hashed;
    if (got.bytes !== blob.length) {
      throw new ImageArchiveError(`layer ${ctx.label}: read ${got.bytes} bytes, expected ${blob.length} (truncated)`, { subject: ctx.label });
    }
    checkDigest(ctx.label, got.digest, ctx.verifyDigest);
  }
  return result;
}

const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function hashAlgo(digest: string | undefined): 'sha256' | 'sha512' | undefined {
  const algo = digest?.split(':')[0];
  return algo === 'sha256' || algo === 'sha512' ? algo : undefined;
}

function checkDigest(label: string, got: string, expected: string): void {
  if (got !== expected) {
    throw new ImageArchiveError(`layer ${label}: content digest is ${got}, not ${expected} (corrupt or altered blob)`, {
      subject: label,
      hint: 'the image file is damaged; fetch or save it again',
    });
  }
}

/** An uncompressed tar in a file range, walked by positional reads (bodies nobody wants are never read). */
export interface PlainTarRange {
  plainTar: BlobRange;
}

function isPlainTarRange(x: unknown): x is PlainTarRange {
  return typeof x === 'object' && x !== null && 'plainTar' in x;
}

/** A gzip blob in a file range, read, hashed (when its digest is to be verified) and gunzipped off this thread. */
export interface GzipFileRange {
  gzipFile: BlobRange;
}

function isGzipFileRange(x: unknown): x is GzipFileRange {
  return typeof x === 'object' && x !== null && 'gzipFile' in x;
}

/** Sieved files (`WalkLayerOptions.sieve`) larger than this get a buffer of their own, as other wanted files do. */
const SIEVE_SCRATCH_MAX = 64 * 1024 * 1024;
/** The scratch buffer's first size: most executables fit. */
const SIEVE_SCRATCH_MIN = 1024 * 1024;

/** Window of a positional walk: the headers and small bodies between two skipped bodies come in one read. */
const SEEK_WINDOW = 64 * 1024;

/**
 * Walks a layer from a raw (possibly compressed) byte stream. Exposed for tests and for callers holding a stream.
 * `expectedRawBytes`, when given, must equal the raw bytes read (a file that shrank under us is a corrupt layer).
 * The tar is read by `TarWalker` synchronously, chunk by chunk; the callbacks for the entries of a chunk run (in
 * order, awaited) before the next chunk is taken.
 */
export async function walkLayerStream(
  raw: Readable | AsyncIterable<Uint8Array> | PlainTarRange | GzipFileRange,
  compression: Compression,
  ctx: LayerWalkContext,
  want: WantFn,
  onFile: OnFileFn,
  opts?: WalkLayerOptions,
  expectedRawBytes?: number,
): Promise<LayerWalkResult> {
  const maxLayerBytes = opts?.maxLayerBytes ?? DEFAULT_MAX_LAYER_BYTES;
  const maxFileBytes = opts?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const result: LayerWalkResult = { whiteouts: [], opaqueDirs: [], refused: [], bytes: 0 };
  const label = ctx.label;

  const algo = hashAlgo(ctx.verifyDigest);
  // A worker that reads the raw bytes itself (a gzip file range) counts and hashes them there.
  const readByWorker = isGzipFileRange(raw);
  const hash = ctx.verifyDigest !== undefined && algo !== undefined && !readByWorker ? crypto.createHash(algo) : undefined;
  let rawBytes = 0;
  /** Digest of the raw bytes when a worker read and hashed them (a gzip file range). */
  let readDigest: string | undefined;

  const escapingLinks = new Set<string>();
  const retained = new Map<string, Uint8Array>();
  let retainedBytes = 0;
  const throughEscapingLink = (p: string): string | undefined => {
    if (escapingLinks.size === 0) return undefined;
    let i = p.indexOf('/');
    while (i !== -1) {
      const prefix = p.slice(0, i);
      if (escapingLinks.has(prefix)) return prefix;
      i = p.indexOf('/', i + 1);
    }
    return undefined;
  };
  const refuse = (p: string, reason: string): void => {
    result.refused.push({ path: p, reason });
  };
  // Callbacks found while walking a chunk, run in order once the chunk is walked.
  const pending: (() => void | Promise<void>)[] = [];
  const fileCall = (entry: LayerEntry, content: Uint8Array) => (): void | Promise<void> => onFile(entry, content);
  let wantedPath = '';
  let wantedMode = 0;
  // The sieve (`opts.sieve`): whether the body being read goes to the scratch buffer; files it passed over.
  const sieve = opts?.sieve;
  let sieving = false;
  let scratch: Buffer | undefined;
  const passedOver = new Set<string>();
  // Positional delivery (a plain tar read from a file): the open file and where the tar starts in it.
  let at: { fd: number; start: number } | undefined;
  const inPlace = opts?.onFileAt && opts.inPlace ? { onFileAt: opts.onFileAt, accepts: opts.inPlace } : undefined;
  const inPlaceFiles = new Map<string, { offset: number; size: number }>();
  const fileAtCall = (entry: LayerEntry, offset: number, size: number) => (): void | Promise<void> => {
    const { fd, start } = at as { fd: number; start: number };
    return inPlace?.onFileAt(entry, positionalFile(fd, start + offset, size));
  };

  const sink: TarSink = {
    entry(h: TarHeader): boolean | Buffer {
      const n = normalizeEntryPath(h.name);
      if (!n.ok) {
        refuse(h.name, n.reason);
        return false;
      }
      const p = n.path;
      if (p === '') return false;
      const via = throughEscapingLink(p);
      if (via !== undefined) {
        refuse(p, `path goes through symlink ${via}, which escapes the root`);
        return false;
      }
      const slash = p.lastIndexOf('/');
      const base = slash === -1 ? p : p.slice(slash + 1);
      if (base.startsWith('.wh.')) {
        const dir = slash === -1 ? '' : p.slice(0, slash);
        if (base === '.wh..wh..opq') result.opaqueDirs.push(dir);
        else if (!base.startsWith('.wh..wh.')) result.whiteouts.push(dir === '' ? base.slice(4) : `${dir}/${base.slice(4)}`);
        return false;
      }
      const mode = h.mode;
      if (h.type === 'symlink') {
        const target = h.linkname;
        const r = resolveSymlinkTarget(p, target);
        if (!r.ok) {
          escapingLinks.add(p);
          refuse(p, r.reason);
        } else if (opts?.onSymlink && want(p)) {
          const onSymlink = opts.onSymlink;
          pending.push(() => onSymlink({ path: p, type: 'symlink', size: 0, mode, linkTarget: target }));
        }
        return false;
      }
      if (h.type === 'hardlink') {
        const r = resolveHardlinkTarget(h.linkname);
        if (!r.ok) {
          refuse(p, r.reason);
          return false;
        }
        const via2 = throughEscapingLink(r.path);
        if (via2 !== undefined) {
          refuse(p, `hard link target ${r.path} goes through symlink ${via2}, which escapes the root`);
          return false;
        }
        if (want(p)) {
          const content = retained.get(r.path);
          const placed = inPlaceFiles.get(r.path);
          if (content !== undefined) pending.push(fileCall({ path: p, type: 'hardlink', size: content.length, mode, linkTarget: r.path }, content));
          else if (placed !== undefined && inPlace?.accepts(p)) pending.push(fileAtCall({ path: p, type: 'hardlink', size: placed.size, mode, linkTarget: r.path }, placed.offset, placed.size));
          else if (passedOver.has(r.path) && !sieve?.accepts(p)) refuse(p, `hard link to ${r.path}, whose bytes were passed over as holding nothing for its own readers`);
        }
        return false;
      }
      if (h.type !== 'file' || !want(p)) return false;
      if (h.size > maxFileBytes) {
        refuse(p, `oversize: ${h.size} bytes > maxFileBytes ${maxFileBytes}`);
        return false;
      }
      if (at === undefined && sieve?.accepts(p) && h.size <= SIEVE_SCRATCH_MAX) {
        // read into the scratch buffer and kept only if a needle is in it (see `body`)
        wantedPath = p;
        wantedMode = mode;
        sieving = true;
        if (scratch === undefined || scratch.length < h.size) scratch = Buffer.allocUnsafeSlow(Math.max(h.size, SIEVE_SCRATCH_MIN));
        return scratch;
      }
      sieving = false;
      if (at !== undefined && inPlace?.accepts(p)) {
        // read later, in place, by the callback: the walk passes over the body
        const offset = walker.position;
        const old = retained.get(p);
        if (old) {
          retainedBytes -= old.length;
          retained.delete(p);
        }
        inPlaceFiles.set(p, { offset, size: h.size });
        pending.push(fileAtCall({ path: p, type: 'file', size: h.size, mode }, offset, h.size));
        return false;
      }
      wantedPath = p;
      wantedMode = mode;
      return true;
    },
    body(h: TarHeader, data: Buffer): void {
      const p = wantedPath;
      inPlaceFiles.delete(p);
      const old = retained.get(p);
      if (old) retainedBytes -= old.length;
      let content = data;
      if (sieving) {
        sieving = false;
        if (!sieve?.needles.some((n) => data.indexOf(n) !== -1)) {
          retained.delete(p);
          passedOver.add(p);
          return;
        }
        content = Buffer.from(data); // out of the scratch buffer, which the next such file reuses
      }
      passedOver.delete(p);
      if (retainedBytes + content.length <= HARDLINK_RETAIN_BYTES) {
        retained.set(p, content);
        retainedBytes += content.length;
      } else retained.delete(p);
      pending.push(fileCall({ path: p, type: 'file', size: h.size, mode: wantedMode }, content));
    },
  };
  const walker = new TarWalker(sink);

  const runPending = async (): Promise<void> => {
    for (let i = 0; i < pending.length; i++) {
      try {
        await (pending[i] as () => void | Promise<void>)();
      } catch (e) {
        throw markCallerError(e);
      }
    }
    pending.length = 0;
  };
  const bomb = (): ImageArchiveError =>
    new ImageArchiveError(`layer ${label}: more than ${maxLayerBytes} bytes uncompressed (decompression bomb?); walk stopped`, {
      subject: label,
      hint: 'raise maxLayerBytes if this layer is genuinely that large',
    });
  const feed = async (chunk: Buffer): Promise<void> => {
    result.bytes += chunk.length;
    if (result.bytes > maxLayerBytes) throw bomb();
    walker.push(chunk);
    if (pending.length > 0) await runPending();
  };
  async function* tapped(src: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
    for await (const c of src) {
      const b = Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
      rawBytes += b.length;
      hash?.update(b);
      yield b;
    }
  }

  // A plain tar in a file: headers are read, the bodies nobody wants are skipped, wanted bodies are read straight
  // into their buffers. Synchronous positional reads: a header costs a few microseconds, not a promise.
  const walkPlainTar = async (src: BlobRange): Promise<void> => {
    const fh = await fs.promises.open(src.file, 'r');
    try {
      at = { fd: fh.fd, start: src.start };
      const size = (await fh.stat()).size;
      const have = Math.max(0, Math.min(src.length, size - src.start));
      const window = Buffer.allocUnsafeSlow(Math.min(SEEK_WINDOW, Math.max(1, have)));
      let pos = 0;
      const advance = (n: number): void => {
        pos += n;
        result.bytes += n;
        if (result.bytes > maxLayerBytes) throw bomb();
      };
      while (pos < have) {
        const skip = Math.min(walker.skippable(), have - pos);
        if (skip > 0) {
          walker.skip(skip);
          advance(skip);
          continue;
        }
        const c = walker.collecting();
        if (c && c.remaining >= SEEK_WINDOW) {
          const n = Math.min(c.remaining, have - pos);
          let got = 0;
          while (got < n) {
            const r = fs.readSync(fh.fd, c.buffer, c.at + got, n - got, src.start + pos + got);
            if (r === 0) break;
            got += r;
          }
          walker.collected(got);
          advance(got);
          if (pending.length > 0) await runPending();
          if (got < n) break;
          continue;
        }
        const r = fs.readSync(fh.fd, window, 0, Math.min(window.length, have - pos), src.start + pos);
        if (r === 0) break;
        pos += r;
        await feed(r === window.length ? window : window.subarray(0, r));
      }
      rawBytes = pos;
    } finally {
      at = undefined;
      await fh.close();
    }
  };

  let consumerError: unknown;
  try {
    if (isPlainTarRange(raw)) {
      if (compression !== 'none') throw new TypeError('a positional walk reads plain tars only');
      await walkPlainTar(raw.plainTar);
    } else if (readByWorker || (compression === 'gzip' && gunzipPoolAvailable())) {
      if (compression !== 'gzip') throw new TypeError('a worker gunzips gzip-compressed input only');
      // gunzip on a worker thread: each chunk is a view of shared memory, walked before the next is asked for
      const job = isGzipFileRange(raw)
        ? gunzipFile(raw.gzipFile.file, raw.gzipFile.start, raw.gzipFile.length, ctx.verifyDigest !== undefined ? algo : undefined)
        : gunzipStream(tapped(raw));
      for await (const chunk of job.chunks) await feed(chunk);
      const input: GunzipInput = await job.result;
      if (readByWorker) {
        rawBytes = input.bytesIn;
        readDigest = input.digest;
      }
    } else if (compression === 'none') {
      const source: AsyncIterable<Uint8Array> = raw;
      for await (const chunk of tapped(source)) await feed(chunk);
    } else {
      const source: AsyncIterable<Uint8Array> = raw;
      await pipeline(Readable.from(tapped(source), { objectMode: false, highWaterMark: READ_CHUNK }), decompressor(compression), async (out: AsyncIterable<Buffer>) => {
        try {
          for await (const chunk of out) await feed(chunk);
        } catch (e) {
          consumerError = e; // pipeline reports it as an abort: keep the real one
          throw e;
        }
      });
    }
    walker.end();
  } catch (caught) {
    const e = consumerError ?? caught;
    if (e instanceof ImageArchiveError) throw e;
    // Errors from onFile are the caller's: pass them through untouched.
    if ((e as { [CALLER]?: boolean })[CALLER]) throw e;
    const what = compression === 'none' ? 'tar' : `${compression}/tar`;
    throw new ImageArchiveError(`layer ${label}: truncated or corrupt ${what} stream: ${describeError(e)}`, {
      subject: label,
      cause: e,
      hint: 'the image file may be incomplete; fetch or save it again',
    });
  }
  if (expectedRawBytes !== undefined && rawBytes !== expectedRawBytes) {
    throw new ImageArchiveError(`layer ${label}: read ${rawBytes} bytes, expected ${expectedRawBytes} (truncated)`, { subject: label });
  }
  if (hash && ctx.verifyDigest !== undefined) checkDigest(label, `${algo}:${hash.digest('hex')}`, ctx.verifyDigest);
  if (readDigest !== undefined && ctx.verifyDigest !== undefined) checkDigest(label, readDigest, ctx.verifyDigest);
  return result;
}

/**
 * How much of a file handed over in place is read at once by the first read that falls inside it: the extractors
 * of an executable (Go, cargo-auditable) each look at its first bytes and headers, and are answered from one read.
 */
const IN_PLACE_HEAD_BYTES = 64 * 1024;

/** Positional reads of [start, start + size) of an open file, as a file of its own (its head read once, above). */
function positionalFile(fd: number, start: number, size: number): PositionalFile {
  const readAt = (from: number, n: number): Buffer => {
    const buf = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const r = fs.readSync(fd, buf, got, n - got, start + from + got);
      if (r === 0) break;
      got += r;
    }
    return got === n ? buf : buf.subarray(0, got);
  };
  const headBytes = Math.min(size, IN_PLACE_HEAD_BYTES);
  let head: Buffer | undefined;
  return {
    size,
    read(offset, length) {
      const from = Math.max(0, Math.min(offset, size));
      const n = Math.max(0, Math.min(length, size - from));
      if (from + n > headBytes) return Promise.resolve(readAt(from, n));
      head ??= readAt(0, headBytes);
      return Promise.resolve(head.subarray(from, from + n));
    },
  };
}

const CALLER = Symbol('bulwark.callerError');

/** Marks an error thrown by a caller's callback so the walker rethrows it untouched. */
export function markCallerError(e: unknown): unknown {
  if (e !== null && typeof e === 'object') (e as { [CALLER]?: boolean })[CALLER] = true;
  return e;
}
