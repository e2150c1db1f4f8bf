import crypto from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describeError } from '../../core/errors.js';
import { ImageArchiveError } from '../image/errors.js';
import { basicHeader, parseWwwAuthenticate, resolveCredentials } from './auth.js';
import { httpGet } from './http-get.js';
import type { CredentialOptions, Credentials } from './auth.js';
import { RegistryError } from './errors.js';
import { apiHost, isLoopbackHost } from './reference.js';
import type { ImageReference } from './reference.js';

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface RegistryClientOptions extends CredentialOptions {
  insecure?: boolean | undefined;
  /** Blobs cache: `<cacheDir>/blobs/sha256/<hex>`. */
  cacheDir: string;
  /** Attempts per request for network faults, 5xx and 429 (default 4). */
  attempts?: number | undefined;
  /** First back-off in ms, doubled each retry (default 250). */
  backoffMs?: number | undefined;
  timeoutMs?: number | undefined;
  /** Told the bytes of a blob received so far (in this attempt) as they arrive, for a progress display. */
  onBlobBytes?: ((digest: string, bytes: number) => void) | undefined;
  /**
   * Whether `streamBlob` keeps what it streams in the blobs cache (default true). False: the bytes are still counted,
   * hashed and checked against the digest as they pass, but nothing is written (a scan without the layer cache).
   */
  keepBlobs?: boolean | undefined;
}

/** A manifest or index larger than this is refused. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
/** A token server's answer larger than this is refused. */
const MAX_TOKEN_BYTES = 1024 * 1024;

/** An answer to a GET whose body has not been read: read it once (`bytes`, `json`) or `discard` it. */
export interface RegistryResponse {
  status: number;
  statusText: string;
  /** 2xx */
  ok: boolean;
  /** A header's value (several values joined by ", "), or undefined. */
  header(name: string): string | undefined;
  /** The whole body; a body over `limit` bytes is a `BodyTooLargeError`. */
  bytes(limit: number): Promise<Buffer>;
  /** The body parsed as JSON (a SyntaxError when it is not). */
  json(limit: number): Promise<unknown>;
  discard(): void;
}

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`answer larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

function answer(res: IncomingMessage): RegistryResponse {
  const status = res.statusCode ?? 0;
  const bytes = async (limit: number): Promise<Buffer> => {
    const parts: Buffer[] = [];
    let n = 0;
    for await (const c of res) {
      n += (c as Buffer).length;
      if (n > limit) {
        res.destroy();
        throw new BodyTooLargeError(limit);
      }
      parts.push(c as Buffer);
    }
    return Buffer.concat(parts, n);
  };
  return {
    status,
    statusText: res.statusMessage ?? '',
    ok: status >= 200 && status < 300,
    header(name) {
      const v = res.headers[name.toLowerCase()];
      return Array.isArray(v) ? v.join(', ') : v;
    },
    bytes,
    async json(limit) {
      return JSON.parse((await bytes(limit)).toString('utf8')) as unknown;
    },
    discard() {
      res.resume();
    },
  };
}

/** Size of the batches `streamBlob` gathers network pieces into. */
const BATCH_BYTES = 1 << 20;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The hash algorithm a digest names (`sha256:<hex>` → sha256). */
const algoOf = (digest: string): string => digest.split(':')[0] ?? 'sha256';

/** Answers worth another attempt: 5xx, 429 Too Many Requests, 408 Request Timeout. */
const retryableStatus = (status: number): boolean => status >= 500 || status === 429 || status === 408;

const statusOf = (res: IncomingMessage): { status: number; statusText: string } => ({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '' });

const AUTH_HINT = 'pass --username/--password, set BULWARK_USERNAME and BULWARK_PASSWORD, or log in so that ~/.docker/config.json has auths for this registry';

/**
 * OCI Distribution (Docker Registry v2) client for pulling: manifests and blobs, anonymous / basic / bearer auth,
 * retries with back-off. Blobs are streamed into a content-addressed cache and verified before use.
 */
export class RegistryClient {
  readonly base: string;
  private readonly creds: Credentials | undefined;
  /** Authorization header that worked (or was issued) for this repository. */
  private authorization: string | undefined;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(
    readonly ref: ImageReference,
    private readonly opts: RegistryClientOptions,
  ) {
    this.base = `${opts.insecure ? 'http' : 'https'}://${apiHost(ref.registry)}`;
    this.creds = resolveCredentials(ref.registry, opts);
    this.attempts = Math.max(1, opts.attempts ?? 4);
    this.backoffMs = opts.backoffMs ?? 250;
  }

  /** GET over node:http(s) (`httpGet`) with retries for network faults, 5xx, 429 and 408. */
  private async requestRetry(url: string, headers: Record<string, string>): Promise<IncomingMessage> {
    let backoff = this.backoffMs;
    for (let attempt = 1; ; attempt++) {
      let res: IncomingMessage | undefined;
      let failure: unknown;
      try {
        res = await httpGet(url, headers, this.opts.timeoutMs ?? 60_000);
      } catch (e) {
        failure = e;
      }
      if (res && !retryableStatus(res.statusCode ?? 0)) return res;
      if (attempt >= this.attempts) {
        if (res) return res;
        throw this.networkError(url, failure);
      }
      res?.resume();
      await sleep(backoff);
      backoff *= 2;
    }
  }

  private networkError(url: string, e: unknown): RegistryError {
    const cause = (e as { cause?: unknown }).cause ?? e;
    const detail = describeError(cause);
    const code = (cause as { code?: string }).code ?? '';
    let hint = `check that ${this.ref.registry} is reachable; the request was retried ${this.attempts} times`;
    if (!this.opts.insecure && isLoopbackHost(this.ref.registry)) {
      hint = `${this.ref.registry} is a loopback registry and may speak plain http: pass --insecure (OpenImageOptions.insecure)`;
    } else if (/SSL|TLS|CERT|EPROTO/i.test(`${code} ${detail}`)) {
      hint = 'the https handshake failed; if this registry speaks plain http, pass --insecure';
    }
    return new RegistryError(this.ref.registry, url, `request to registry ${this.ref.registry} failed after ${this.attempts} attempts: ${detail}`, {
      retryable: true,
      cause: e,
      hint,
    });
  }

  private authError(url: string, res: { status: number }, what: string): RegistryError {
    const who = this.creds ? `the credentials for user ${JSON.stringify(this.creds.username)} (from ${this.creds.source}) were rejected` : 'no credentials were given';
    return new RegistryError(this.ref.registry, url, `registry ${this.ref.registry} refused ${what} of ${this.ref.repository} (HTTP ${res.status}): ${who}`, {
      status: res.status,
      retryable: false,
      hint: AUTH_HINT,
    });
  }

  /** Answers a 401 challenge (sets the Authorization to send), or throws when there is nothing to answer with. */
  private async authenticate(header: string, res: { status: number }, url: string, what: string): Promise<void> {
    const ch = parseWwwAuthenticate(header);
    if (!ch) throw this.authError(url, res, what);
    if (ch.scheme === 'basic') {
      if (!this.creds) throw this.authError(url, res, what);
      this.authorization = basicHeader(this.creds);
      return;
    }
    if (ch.scheme !== 'bearer' || !ch.params.realm) throw this.authError(url, res, what);
    const tokenUrl = new URL(ch.params.realm);
    if (ch.params.service) tokenUrl.searchParams.set('service', ch.params.service);
    tokenUrl.searchParams.set('scope', ch.params.scope ?? `repository:${this.ref.repository}:pull`);
    const headers: Record<string, string> = { 'user-agent': 'bulwark' };
    if (this.creds) headers.authorization = basicHeader(this.creds);
    const tr = answer(await this.requestRetry(tokenUrl.toString(), headers));
    if (tr.status === 401 || tr.status === 403) {
      tr.discard();
      throw this.authError(tokenUrl.toString(), tr, `a token for ${what}`);
    }
    if (!tr.ok) {
      tr.discard();
      throw new RegistryError(this.ref.registry, tokenUrl.toString(), `token server answered HTTP ${tr.status}`, { status: tr.status, retryable: tr.status >= 500 });
    }
    let body: { token?: string; access_token?: string };
    try {
      body = (await tr.json(MAX_TOKEN_BYTES)) as typeof body;
    } catch (e) {
      throw new RegistryError(this.ref.registry, tokenUrl.toString(), 'token server answered something that is not JSON', { retryable: false, cause: e });
    }
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(this.ref.registry, tokenUrl.toString(), 'token server answered without a token', { retryable: false });
    this.authorization = `Bearer ${token}`;
  }

  /**
   * GET with auth: answers at most two challenges (anonymous → token or basic; expired token → new one). The body is
   * not read: the caller reads it (`bytes`, `json`) or discards it.
   */
  async get(pathname: string, accept: string | undefined, what: string, extraHeaders?: Record<string, string>): Promise<RegistryResponse> {
    return answer(await this.getStream(pathname, what, accept ? { accept, ...extraHeaders } : extraHeaders));
  }

  /** As `get`, the answer as it comes from node:http(s): a blob body as a Node stream (the caller reads or resumes it). */
  private async getStream(pathname: string, what: string, extraHeaders?: Record<string, string>): Promise<IncomingMessage> {
    const url = `${this.base}${pathname}`;
    let challenged = 0;
    for (;;) {
      const headers: Record<string, string> = { 'user-agent': 'bulwark', ...extraHeaders };
      if (this.authorization) headers.authorization = this.authorization;
      const res = await this.requestRetry(url, headers);
      if (res.statusCode !== 401) return res;
      res.resume();
      const status = { status: 401 };
      // Basic credentials already sent and refused, or two challenges answered in vain: give up.
      if (challenged >= 2 || this.authorization?.startsWith('Basic ')) throw this.authError(url, status, what);
      challenged++;
      const challenge = res.headers['www-authenticate'];
      await this.authenticate(Array.isArray(challenge) ? challenge.join(', ') : (challenge ?? ''), status, url, what);
    }
  }

  /** A blob whose bytes do not match its digest or its manifest size (nothing of it is kept). */
  private blobMismatch(digest: string, bytes: number, got: string): ImageArchiveError {
    return new ImageArchiveError(`blob ${digest} from ${this.ref.registry}: got ${bytes} bytes with digest ${got} (corrupt or truncated)`, { subject: digest });
  }

  /** A blob that goes on past the size its manifest gives. */
  private blobOversize(digest: string, expectedSize: number | undefined): ImageArchiveError {
    return new ImageArchiveError(`blob ${digest} from ${this.ref.registry}: more than the ${expectedSize} bytes the manifest says`, { subject: digest });
  }

  /** A blob download cut off, after the retries. */
  private blobInterrupted(url: string, digest: string, bytes: number, e: unknown): RegistryError {
    return new RegistryError(this.ref.registry, url, `blob ${digest} download interrupted after ${bytes} bytes: ${describeError((e as { cause?: unknown }).cause ?? e)}`, {
      retryable: true,
      cause: e,
    });
  }

  private notOk(url: string, res: { status: number; statusText: string }, what: string): RegistryError {
    if (res.status === 404) {
      return new RegistryError(this.ref.registry, url, `${what} not found in ${this.ref.registry}/${this.ref.repository} (HTTP 404)`, {
        status: 404,
        retryable: false,
        hint: 'check the repository name, tag or digest',
      });
    }
    if (res.status === 403) return this.authError(url, res, what);
    return new RegistryError(this.ref.registry, url, `${what}: HTTP ${res.status} ${res.statusText}`, {
      status: res.status,
      retryable: res.status >= 500 || res.status === 429,
    });
  }

  /** Fetches a manifest (or index) by tag or digest. A digest reference is verified against the body. */
  async getManifest(reference: string): Promise<{ bytes: Uint8Array; mediaType: string | undefined; digest: string }> {
    const pathname = `/v2/${this.ref.repository}/manifests/${reference}`;
    const what = `manifest ${reference}`;
    const res = await this.get(pathname, MANIFEST_ACCEPT, what);
    if (!res.ok) {
      res.discard();
      throw this.notOk(`${this.base}${pathname}`, res, what);
    }
    const bytes = await res.bytes(MAX_MANIFEST_BYTES).catch((e: unknown) => {
      if (e instanceof BodyTooLargeError) throw new ImageArchiveError(`${what}: more than ${MAX_MANIFEST_BYTES} bytes, too large for a manifest`);
      throw this.networkError(`${this.base}${pathname}`, e);
    });
    const digest = `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new ImageArchiveError(`${what} from ${this.ref.registry}: content digest is ${digest} (altered or corrupt manifest)`, { subject: reference });
    }
    const ct = res.header('content-type')?.split(';')[0]?.trim();
    return { bytes, mediaType: ct && ct !== 'application/json' && ct !== 'text/plain' ? ct : undefined, digest };
  }

  /** Whether streamed blobs are kept in the blobs cache (`keepBlobs`). */
  get keepsBlobs(): boolean {
    return this.opts.keepBlobs !== false;
  }

  blobPath(digest: string): string {
    const [algo, hex] = digest.split(':');
    return path.join(this.opts.cacheDir, 'blobs', algo ?? 'sha256', hex ?? '');
  }

  /**
   * Ensures a blob is in the cache (streamed, hashed, verified, then renamed into place) and returns its path. A
   * blob already in the cache is not downloaded again.
   */
  async fetchBlob(digest: string, expectedSize?: number): Promise<string> {
    return (await this.fetchBlobFile(digest, expectedSize)).file;
  }

  /** As `fetchBlob`; `verified` says the blob was downloaded (and its digest checked) by this call. */
  async fetchBlobFile(digest: string, expectedSize?: number): Promise<{ file: string; verified: boolean }> {
    const dest = this.blobPath(digest);
    const cached = fs.statSync(dest, { throwIfNoEntry: false });
    // cached blobs were verified when they were written; the size check catches a damaged cache cheaply (the layer
    // walk hashes them again anyway)
    if (cached?.isFile() && (expectedSize === undefined || expectedSize <= 0 || cached.size === expectedSize)) return { file: dest, verified: false };
    const algo = algoOf(digest);
    const pathname = `/v2/${this.ref.repository}/blobs/${digest}`;
    const url = `${this.base}${pathname}`;
    const tmpDir = path.join(this.opts.cacheDir, 'blobs', 'tmp');
    fs.mkdirSync(tmpDir, { recursive: true });
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    let backoff = this.backoffMs;
    for (let attempt = 1; ; attempt++) {
      const res = await this.getStream(pathname, `blob ${digest}`);
      if (res.statusCode !== 200) {
        res.resume();
        throw this.notOk(url, statusOf(res), `blob ${digest}`);
      }
      const tmp = path.join(tmpDir, `${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
      const hash = crypto.createHash(algo);
      const onBytes = this.opts.onBlobBytes;
      let bytes = 0;
      try {
        await pipeline(
          res,
          async function* (chunks: AsyncIterable<Buffer>) {
            for await (const chunk of chunks) {
              bytes += chunk.length;
              onBytes?.(digest, bytes);
              hash.update(chunk);
              yield chunk;
            }
          },
          fs.createWriteStream(tmp, { highWaterMark: 1 << 20 }),
        );
      } catch (e) {
        fs.rmSync(tmp, { force: true });
        if (attempt < this.attempts) {
          await sleep(backoff);
          backoff *= 2;
          continue;
        }
        throw this.blobInterrupted(url, digest, bytes, e);
      }
      const got = `${algo}:${hash.digest('hex')}`;
      if (got !== digest || (expectedSize !== undefined && expectedSize > 0 && bytes !== expectedSize)) {
        fs.rmSync(tmp, { force: true });
        if (attempt < this.attempts && bytes !== expectedSize) {
          await sleep(backoff);
          backoff *= 2;
          continue;
        }
        throw this.blobMismatch(digest, bytes, got);
      }
      fs.renameSync(tmp, dest);
      return { file: dest, verified: true };
    }
  }

  /**
   * Streams a blob from the registry: yields its bytes as they arrive while writing them to the blobs cache (unless
   * `keepBlobs` is false), then checks size and digest and moves the file into place (a mismatch throws after the
   * last chunk, and nothing is cached). A connection lost midway is resumed where it stopped (a Range request; from a
   * server that ignores Range, the bytes already seen are read again and skipped), so the consumer sees one
   * continuous stream.
   */
  async *streamBlob(digest: string, expectedSize?: number): AsyncGenerator<Buffer> {
    const algo = algoOf(digest);
    const pathname = `/v2/${this.ref.repository}/blobs/${digest}`;
    const url = `${this.base}${pathname}`;
    let cacheFile: { fh: fs.promises.FileHandle; tmp: string; dest: string } | undefined;
    if (this.opts.keepBlobs !== false) {
      const dest = this.blobPath(digest);
      const tmpDir = path.join(this.opts.cacheDir, 'blobs', 'tmp');
      fs.mkdirSync(tmpDir, { recursive: true });
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      const tmp = path.join(tmpDir, `${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
      cacheFile = { fh: await fs.promises.open(tmp, 'w'), tmp, dest };
    }
    const hash = crypto.createHash(algo);
    let bytes = 0;
    let writing: Promise<unknown> = Promise.resolve();
    let done = false;
    let parts: Buffer[] = [];
    let partBytes = 0;
    const takeBatch = (): Buffer => {
      const batch = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, partBytes);
      parts = [];
      partBytes = 0;
      return batch;
    };
    try {
      let backoff = this.backoffMs;
      for (let attempt = 1; ; attempt++) {
        const res = await this.getStream(pathname, `blob ${digest}`, bytes > 0 ? { range: `bytes=${bytes}-` } : undefined);
        if (res.statusCode !== 200 && res.statusCode !== 206) {
          res.resume();
          throw this.notOk(url, statusOf(res), `blob ${digest}`);
        }
        let skip = bytes > 0 && res.statusCode !== 206 ? bytes : 0;
        try {
          for await (const c of res) {
            let chunk = c as Buffer;
            if (skip > 0) {
              if (chunk.length <= skip) {
                skip -= chunk.length;
                continue;
              }
              chunk = chunk.subarray(skip);
              skip = 0;
            }
            bytes += chunk.length;
            this.opts.onBlobBytes?.(digest, bytes);
            if (expectedSize !== undefined && expectedSize > 0 && bytes > expectedSize) {
              throw this.blobOversize(digest, expectedSize);
            }
            if (!cacheFile) {
              // Nothing to write: each piece goes on as it came (the off-thread gunzip gathers them into its slots).
              hash.update(chunk);
              yield chunk;
              continue;
            }
            // The network hands over 16-64 KiB pieces: gather them into ~1 MiB batches, so that the cache file,
            // the hash, zlib and the walk each see a few large writes rather than thousands of small ones.
            parts.push(chunk);
            partBytes += chunk.length;
            if (partBytes >= BATCH_BYTES) {
              const batch = takeBatch();
              hash.update(batch);
              if (cacheFile) {
                await writing; // one write in flight at a time, overlapping the consumer's work on this batch
                writing = cacheFile.fh.write(batch);
              }
              yield batch;
            }
          }
          break;
        } catch (e) {
          if (e instanceof ImageArchiveError || attempt >= this.attempts) {
            if (e instanceof ImageArchiveError) throw e;
            throw this.blobInterrupted(url, digest, bytes, e);
          }
          await sleep(backoff);
          backoff *= 2;
        }
      }
      if (partBytes > 0) {
        const batch = takeBatch();
        hash.update(batch);
        if (cacheFile) {
          await writing;
          writing = cacheFile.fh.write(batch);
        }
        yield batch;
      }
      await writing;
      const got = `${algo}:${hash.digest('hex')}`;
      if (got !== digest || (expectedSize !== undefined && expectedSize > 0 && bytes !== expectedSize)) {
        throw this.blobMismatch(digest, bytes, got);
      }
      if (cacheFile) {
        await cacheFile.fh.close();
        fs.renameSync(cacheFile.tmp, cacheFile.dest);
      }
      done = true;
    } finally {
      if (!done && cacheFile) {
        await writing.catch(() => undefined);
        await cacheFile.fh.close().catch(() => undefined);
        fs.rmSync(cacheFile.tmp, { force: true });
      }
    }
  }
}
