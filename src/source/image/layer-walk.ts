import crypto from 'node:crypto';
import fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';
import { describeError } from '../../core/errors.js';
import { decompressor, sniffCompression } from './decompress.js';
import type { Compression } from './decompress.js';
import { ImageArchiveError } from './errors.js';
import { normalizeEntryPath, resolveHardlinkTarget, resolveSymlinkTarget } from './paths.js';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_LAYER_BYTES } from './types.js';
import type { LayerEntry, LayerWalkResult, OnFileFn, WalkLayerOptions, WantFn } from './types.js';

/** A byte range of a file on disk holding one layer blob (a whole file, or a member of an outer tar). */
export interface BlobRange {
  file: string;
  start: number;
  length: number;
}

export interface LayerWalkContext {
  /** How errors name the layer: its digest. */
  label: string;
  /** When set, the raw blob bytes are hashed while streaming and must match (`sha256:<hex>`). */
  verifyDigest?: string | undefined;
}

/** Contents of wanted files kept for hard links to them, up to this many bytes per layer. */
const HARDLINK_RETAIN_BYTES = 64 * 1024 * 1024;

function entryType(h: Partial<Header>): LayerEntry['type'] {
  switch (h.type) {
    case 'file':
    case 'contiguous-file':
    case undefined:
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

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

type EntryStream = AsyncIterable<Buffer> & { destroy(err?: Error): void };

async function drain(stream: EntryStream): Promise<void> {
  for await (const _ of stream) {
    // discard
  }
}

async function readAll(stream: EntryStream, size: number): Promise<Uint8Array> {
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  for await (const chunk of stream) {
    if (off + chunk.length > size) throw new Error('entry longer than its header says');
    chunk.copy(buf, off);
    off += chunk.length;
  }
  if (off !== size) throw new Error(`entry cut short: ${off} of ${size} bytes`);
  return buf;
}

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
  const raw = fs.createReadStream(blob.file, { start: blob.start, end: blob.start + blob.length - 1, highWaterMark: 1 << 20 });
  return walkLayerStream(raw, compression, ctx, want, onFile, opts, blob.length);
}

const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Walks a layer from a raw (possibly compressed) byte stream. Exposed for tests and for callers holding a stream.
 * `expectedRawBytes`, when given, must equal the raw bytes read (a file that shrank under us is a corrupt layer).
 */
export async function walkLayerStream(
  raw: Readable | AsyncIterable<Uint8Array>,
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

  const algo = ctx.verifyDigest?.split(':')[0];
  const hash = ctx.verifyDigest !== undefined && (algo === 'sha256' || algo === 'sha512') ? crypto.createHash(algo) : undefined;
  let rawBytes = 0;
  const tap = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _enc, cb) {
      rawBytes += chunk.length;
      hash?.update(chunk);
      cb(null, chunk);
    },
  });
  let capHit = false;
  const counter = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _enc, cb) {
      result.bytes += chunk.length;
      if (result.bytes > maxLayerBytes) {
        capHit = true;
        cb(
          new ImageArchiveError(
            `layer ${label}: more than ${maxLayerBytes} bytes uncompressed (decompression bomb?); walk stopped`,
            { subject: label, hint: 'raise maxLayerBytes if this layer is genuinely that large' },
          ),
        );
        return;
      }
      cb(null, chunk);
    },
  });

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
  const callOnFile = async (entry: LayerEntry, content: Uint8Array): Promise<void> => {
    try {
      await onFile(entry, content);
    } catch (e) {
      throw markCallerError(e);
    }
  };
  const refuse = (p: string, reason: string): void => {
    result.refused.push({ path: p, reason });
  };

  const handle = async (header: Header, stream: EntryStream): Promise<void> => {
    const type = entryType(header);
    const n = normalizeEntryPath(header.name);
    if (!n.ok) {
      refuse(header.name, n.reason);
      return drain(stream);
    }
    const p = n.path;
    if (p === '') return drain(stream);
    const slash = p.lastIndexOf('/');
    const dir = slash === -1 ? '' : p.slice(0, slash);
    const base = slash === -1 ? p : p.slice(slash + 1);
    const via = throughEscapingLink(p);
    if (via !== undefined) {
      refuse(p, `path goes through symlink ${via}, which escapes the root`);
      return drain(stream);
    }
    if (base.startsWith('.wh.')) {
      if (base === '.wh..wh..opq') result.opaqueDirs.push(dir);
      else if (!base.startsWith('.wh..wh.')) result.whiteouts.push(dir === '' ? base.slice(4) : `${dir}/${base.slice(4)}`);
      return drain(stream);
    }
    const mode = header.mode ?? 0;
    const size = header.size ?? 0;
    if (type === 'symlink') {
      const target = header.linkname ?? '';
      const r = resolveSymlinkTarget(p, target);
      if (!r.ok) {
        escapingLinks.add(p);
        refuse(p, r.reason);
      } else if (opts?.onSymlink && want(p)) {
        try {
          await opts.onSymlink({ path: p, type, size: 0, mode, linkTarget: target });
        } catch (e) {
          throw markCallerError(e);
        }
      }
      return drain(stream);
    }
    if (type === 'hardlink') {
      const target = header.linkname ?? '';
      const r = resolveHardlinkTarget(target);
      if (!r.ok) {
        refuse(p, r.reason);
        return drain(stream);
      }
      const via2 = throughEscapingLink(r.path);
      if (via2 !== undefined) {
        refuse(p, `hard link target ${r.path} goes through symlink ${via2}, which escapes the root`);
        return drain(stream);
      }
      await drain(stream);
      if (want(p)) {
        const content = retained.get(r.path);
        if (content !== undefined) await callOnFile({ path: p, type, size: content.length, mode, linkTarget: r.path }, content);
      }
      return;
    }
    if (type !== 'file' || !want(p)) return drain(stream);
    if (size > maxFileBytes) {
      refuse(p, `oversize: ${size} bytes > maxFileBytes ${maxFileBytes}`);
      return drain(stream);
    }
    let content: Uint8Array;
    try {
      content = await readAll(stream, size);
    } catch (e) {
      throw new ImageArchiveError(`layer ${label}: ${p}: ${describeError(e)}`, { subject: label, cause: e });
    }
    const old = retained.get(p);
    if (old) retainedBytes -= old.length;
    if (retainedBytes + content.length <= HARDLINK_RETAIN_BYTES) {
      retained.set(p, content);
      retainedBytes += content.length;
    } else retained.delete(p);
    await callOnFile({ path: p, type: 'file', size, mode }, content);
  };

  const extract = tar.extract({ allowUnknownFormat: true } as Parameters<typeof tar.extract>[0]);
  extract.on('entry', (header, stream, next) => {
    handle(header, stream as unknown as EntryStream).then(
      () => next(),
      (err: unknown) => {
        stream.destroy();
        extract.destroy(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });

  const source = raw instanceof Readable ? raw : Readable.from(raw);
  try {
    await pipeline(source, tap, decompressor(compression), counter, extract);
  } catch (e) {
    if (e instanceof ImageArchiveError) throw e;
    if (capHit) {
      throw new ImageArchiveError(`layer ${label}: more than ${maxLayerBytes} bytes uncompressed (decompression bomb?); walk stopped`, {
        subject: label,
      });
    }
    const what = compression === 'none' ? 'tar' : `${compression}/tar`;
    // Errors from onFile are the caller's: pass them through untouched.
    if ((e as { [CALLER]?: boolean })[CALLER]) throw e;
    throw new ImageArchiveError(`layer ${label}: truncated or corrupt ${what} stream: ${describeError(e)}`, {
      subject: label,
      cause: e,
      hint: 'the image file may be incomplete; fetch or save it again',
    });
  }
  if (expectedRawBytes !== undefined && rawBytes !== expectedRawBytes) {
    throw new ImageArchiveError(`layer ${label}: read ${rawBytes} bytes, expected ${expectedRawBytes} (truncated)`, { subject: label });
  }
  if (hash && ctx.verifyDigest !== undefined) {
    const got = `${algo}:${hash.digest('hex')}`;
    if (got !== ctx.verifyDigest) {
      throw new ImageArchiveError(`layer ${label}: content digest is ${got}, not ${ctx.verifyDigest} (corrupt or altered blob)`, {
        subject: label,
        hint: 'the image file is damaged; fetch or save it again',
      });
    }
  }
  return result;
}

const CALLER = Symbol('bulwark.callerError');

/** Marks an error thrown by a caller's callback so the walker rethrows it untouched. */
export function markCallerError(e: unknown): unknown {
  if (e !== null && typeof e === 'object') (e as { [CALLER]?: boolean })[CALLER] = true;
  return e;
}
