import os from 'node:os';
import zlib from 'node:zlib';
import type { Worker } from 'node:worker_threads';
import { makeHttpGet } from '../registry/http-get.js';
import { workerThreads } from '../../util/lazy.js';

/**
 * Gunzips layer blobs on worker threads, handing the output to the walking thread through reused shared memory.
 *
 * Why: gunzip on the walking thread allocates a fresh buffer for every MiB it writes. A walk keeps those buffers
 * alive across its awaits, so they outlive young-generation collections and count against the old generation: a
 * 180 MiB image cost about 15 full collections (a quarter of a second of CPU) on the walking thread, whose heap is
 * large. Here the output lands in a ring of slots allocated once per worker; the walker reads views of the slots and
 * gives each back when it asks for the next chunk. The worker's own heap is tiny, so its collections are cheap, and
 * its work runs beside the walk on another core.
 *
 * Input comes from the walking thread (`gunzipStream`: a registry blob kept in the blobs cache as it arrives, copied
 * into the worker's input ring), from a file range the worker reads itself (`gunzipFile`, optionally hashing what it
 * reads, so the digest of a blob on disk is checked without another read), or from the network, downloaded and
 * hashed by the worker while the caller drives the GETs (`gunzipDownload`). Workers start on first use, are reused
 * for later layers, and never keep the process alive when idle. When a worker cannot be started the caller falls
 * back to gunzip on its own thread (`gunzipPoolAvailable`).
 */

/** Bytes per ring slot: zlib's output chunk size, so that one chunk fills at most one slot. */
const SLOT_BYTES = 1 << 20;
const IN_SLOTS = 3;
const OUT_SLOTS = 4;

// Plain CommonJS: an eval'd worker needs no file on disk, so this works from dist/ and from the bundle alike.
// Inflation is zlib's own, driven synchronously through the handle behind `zlib.gunzipSync` (`_handle.writeSync`,
// results in `_writeState`) so that it writes straight into the output ring: no buffer is allocated per chunk, and
// no page of fresh memory is touched per MiB (page faults were a fifth of a registry scan's CPU here).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const httpGet = (${makeHttpGet.toString()})(require('node:http'), require('node:https'));
const zlib = require('node:zlib');
const fs = require('node:fs');
const crypto = require('node:crypto');
const { Z_NO_FLUSH, Z_FINISH } = zlib.constants;
const { slotBytes, outSlots } = workerData;
const inRing = Buffer.from(workerData.inRing);
const outRing = Buffer.from(workerData.outRing);
let job;

function post(j, m) { if (job === j) parentPort.postMessage({ id: j.id, ...m }); }
function fail(j, e) {
  if (j.over) return;
  j.over = true;
  post(j, { t: 'error', message: String((e && e.message) || e), code: e && e.code });
  j.gz.close();
}
function slotFree(j) {
  if (j.free.length > 0) return undefined;
  return new Promise((r) => { j.wake = r; });
}
function wakeUp(j) {
  const w = j.wake;
  j.wake = undefined;
  if (w) w();
}
function ship(j) {
  if (j.fill > 0) post(j, { t: 'out', slot: j.slot, len: j.fill });
  j.slot = -1;
  j.fill = 0;
}
// Inflates buf[off, off + len) into the ring, a slot at a time, waiting for the walker to give slots back.
async function inflate(j, buf, off, len, flush) {
  for (;;) {
    if (j.over) return;
    if (j.slot === -1) {
      const wait = slotFree(j);
      if (wait) await wait;
      if (j.over) return;
      j.slot = j.free.pop();
    }
    const room = slotBytes - j.fill;
    j.gz._handle.writeSync(flush, buf, off, len, outRing, j.slot * slotBytes + j.fill, room);
    if (j.gz.errored) return fail(j, j.gz.errored);
    const availOut = j.gz._writeState[0];
    const availIn = j.gz._writeState[1];
    j.fill += room - availOut;
    off += len - availIn;
    len = availIn;
    if (availOut === 0) ship(j);
    else return; // zlib took all it could: the input is used up (or the stream is over)
  }
}
function finish(j) {
  j.chain = j.chain.then(async () => {
    // an empty blob is an empty layer, not a truncated gzip stream
    if (j.bytesIn > 0) await inflate(j, inRing, 0, 0, Z_FINISH);
    if (j.over) return;
    ship(j);
    j.over = true;
    post(j, { t: 'done', bytesIn: j.bytesIn, digest: j.hash ? j.algo + ':' + j.hash.digest('hex') : undefined });
    j.gz.close();
  });
}
async function readFile(j, m) {
  let fh;
  try {
    fh = await fs.promises.open(m.file, 'r');
    const buf = Buffer.allocUnsafe(Math.min(slotBytes, Math.max(1, m.length)));
    let pos = m.start;
    let left = m.length;
    while (left > 0 && !j.over) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, left), pos);
      if (bytesRead === 0) break;
      if (j.hash) j.hash.update(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
      j.bytesIn += bytesRead;
      pos += bytesRead;
      left -= bytesRead;
      await inflate(j, buf, 0, bytesRead, Z_NO_FLUSH);
    }
  } catch (e) {
    fail(j, e);
  } finally {
    if (fh) await fh.close().catch(() => undefined);
  }
  if (!j.over) finish(j);
}

// One GET of a blob (a download's first, or a resumption after an interruption): its body is hashed and inflated as
// it arrives; how it ended is reported to the thread that drives the download (auth, retries, verification).
async function download(j, m) {
  let res;
  try {
    res = await httpGet(m.url, m.headers, m.timeoutMs);
  } catch (e) {
    return post(j, { t: 'got', kind: 'network', bytesIn: j.bytesIn, message: String((e && e.message) || e), code: e && e.code });
  }
  const status = res.statusCode || 0;
  if (status !== 200 && status !== 206) {
    res.resume();
    const www = res.headers['www-authenticate'];
    return post(j, { t: 'got', kind: 'status', status, statusText: res.statusMessage || '', www: Array.isArray(www) ? www.join(', ') : www });
  }
  // a server that ignores Range sends the whole blob again: pass over what was already taken
  let skip = j.bytesIn > 0 && status !== 206 ? j.bytesIn : 0;
  try {
    for await (const raw of res) {
      if (j.over) {
        res.destroy();
        return;
      }
      let piece = raw;
      if (skip > 0) {
        if (piece.length <= skip) { skip -= piece.length; continue; }
        piece = piece.subarray(skip);
        skip = 0;
      }
      for (let k = 0; k < piece.length && j.bytesIn + k < 2; k++) {
        if (piece[k] !== GZIP_MAGIC[j.bytesIn + k]) {
          res.destroy();
          return post(j, { t: 'got', kind: 'notGzip', bytesIn: j.bytesIn });
        }
      }
      j.bytesIn += piece.length;
      if (j.bytesIn > m.maxBytes) {
        res.destroy();
        return post(j, { t: 'got', kind: 'overLimit', bytesIn: j.bytesIn });
      }
      j.hash.update(piece);
      if (j.bytesIn - j.collected >= GC_EVERY_BYTES) {
        j.collected = j.bytesIn;
        minorGc();
      }
      if (j.bytesIn - j.reported >= PROGRESS_BYTES) {
        j.reported = j.bytesIn;
        post(j, { t: 'progress', bytesIn: j.bytesIn });
      }
      await inflate(j, piece, 0, piece.length, Z_NO_FLUSH);
      if (j.over) {
        res.destroy();
        return;
      }
    }
  } catch (e) {
    return post(j, { t: 'got', kind: 'interrupted', bytesIn: j.bytesIn, message: String((e && e.message) || e), code: e && e.code });
  }
  post(j, { t: 'got', kind: 'complete', bytesIn: j.bytesIn, digest: j.algo + ':' + j.hash.copy().digest('hex') });
}
const GZIP_MAGIC = [0x1f, 0x8b];
// Each socket read of a download lands in a fresh 64 KiB buffer. This thread allocates little else, so its young
// generation is rarely collected and those buffers pile up dead (tens of MiB, each new one touching fresh pages).
// A young-generation collection every few MiB received (well under a millisecond here) lets malloc hand the same
// memory back. gc() is reached the way the expose-gc package does it; without it, no collection is asked for.
let minorGc = () => undefined;
try {
  require('v8').setFlagsFromString('--expose-gc');
  const gc = require('vm').runInNewContext('gc');
  if (typeof gc === 'function') minorGc = () => gc({ type: 'minor' });
} catch {}
const GC_EVERY_BYTES = 8 << 20;
const PROGRESS_BYTES = 4 << 20;

parentPort.on('message', (m) => {
  if (m.t === 'start') {
    if (job) { job.over = true; job.gz.close(); }
    const gz = zlib.createGunzip();
    gz.on('error', () => undefined); // read through gz.errored after each call
    const j = { id: m.id, gz, free: [], slot: -1, fill: 0, over: false, bytesIn: 0, reported: 0, collected: 0, chain: Promise.resolve(), wake: undefined };
    for (let i = outSlots - 1; i >= 0; i--) j.free.push(i);
    if (m.algo) { j.algo = m.algo; j.hash = crypto.createHash(m.algo); }
    job = j;
    if (m.file !== undefined) readFile(j, m);
    return;
  }
  const j = job;
  if (!j || m.id !== j.id) return;
  if (m.t === 'in') {
    j.bytesIn += m.len;
    j.chain = j.chain.then(async () => {
      await inflate(j, inRing, m.slot * slotBytes, m.len, Z_NO_FLUSH);
      post(j, { t: 'inFree', slot: m.slot });
    });
  } else if (m.t === 'get') {
    download(j, m);
  } else if (m.t === 'end') {
    finish(j);
  } else if (m.t === 'free') {
    j.free.push(m.slot);
    wakeUp(j);
  } else if (m.t === 'abort') {
    j.over = true;
    job = undefined;
    wakeUp(j);
    j.gz.close();
  }
});
`;

/** How one GET of a download (`gunzipDownload`) ended. `bytes`: the blob's bytes taken so far, over all GETs. */
export type DownloadOutcome =
  | { kind: 'complete'; bytes: number; digest: string }
  | { kind: 'status'; bytes: number; status: number; statusText: string; www: string | undefined }
  | { kind: 'network' | 'interrupted'; bytes: number; message: string; code: string | undefined }
  | { kind: 'notGzip' | 'overLimit'; bytes: number };

/** What a download driver (`gunzipDownload`) asks of the worker: one GET at a time, resumed where the last one stopped. */
export interface DownloadControl {
  /** GETs `url`; the body is hashed and gunzipped on the worker as it arrives. Resolves when the GET is over. */
  get(url: string, headers: Record<string, string>, timeoutMs: number, maxBytes: number): Promise<DownloadOutcome>;
}

type FromWorker =
  | { id: number; t: 'got'; kind: DownloadOutcome['kind']; bytesIn: number; digest?: string; status?: number; statusText?: string; www?: string; message?: string; code?: string }
  | { id: number; t: 'progress'; bytesIn: number }
  | { id: number; t: 'out'; slot: number; len: number }
  | { id: number; t: 'inFree'; slot: number }
  | { id: number; t: 'done'; bytesIn: number; digest?: string }
  | { id: number; t: 'error'; message: string; code?: string };

/** What a finished gunzip read: compressed bytes, and their digest when it was asked to hash them. */
export interface GunzipInput {
  bytesIn: number;
  digest?: string | undefined;
}

/** A gunzip on a worker: its output chunks (views of shared memory, each valid until the next is asked for) and what it read. */
export interface GunzipJob {
  chunks: AsyncGenerator<Buffer>;
  result: Promise<GunzipInput>;
}

/** A gzip stream that does not decode; carries zlib's message and code. */
export class GunzipError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'GunzipError';
  }
}

interface PoolWorker {
  worker: Worker;
  inRing: Buffer;
  outRing: Buffer;
  onMessage: ((m: FromWorker) => void) | undefined;
  onExit: ((e: Error) => void) | undefined;
  dead: boolean;
}

class GunzipPool {
  private readonly idle: PoolWorker[] = [];
  private workers = 0;
  private readonly waiting: ((w: PoolWorker | undefined) => void)[] = [];
  private broken = false;
  private nextId = 1;

  constructor(private readonly size: number) {}

  get available(): boolean {
    return !this.broken;
  }

  private spawn(): PoolWorker | undefined {
    let worker: Worker;
    const inShared = new SharedArrayBuffer(SLOT_BYTES * IN_SLOTS);
    const outShared = new SharedArrayBuffer(SLOT_BYTES * OUT_SLOTS);
    try {
      worker = new (workerThreads().Worker)(WORKER_SOURCE, { eval: true, workerData: { inRing: inShared, outRing: outShared, slotBytes: SLOT_BYTES, outSlots: OUT_SLOTS } });
    } catch {
      this.broken = true;
      return undefined;
    }
    this.workers++;
    const pw: PoolWorker = { worker, inRing: Buffer.from(inShared), outRing: Buffer.from(outShared), onMessage: undefined, onExit: undefined, dead: false };
    worker.on('message', (m: FromWorker) => pw.onMessage?.(m));
    const gone = (e: Error): void => {
      if (pw.dead) return;
      pw.dead = true;
      const i = this.idle.indexOf(pw);
      if (i !== -1) this.idle.splice(i, 1);
      this.workers--;
      pw.onExit?.(e);
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`gunzip worker exited with code ${code}`)));
    // after the listeners: attaching a 'message' listener refs the worker again, and an idle (or prewarmed, never
    // used) worker must not keep the process alive
    worker.unref();
    return pw;
  }

  /** A worker for one job: an idle one, a new one, or the next one freed (undefined: none can be started). */
  acquire(): Promise<PoolWorker | undefined> {
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.workers < this.size) return Promise.resolve(this.spawn());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Starts up to `n` workers now, idle, so that their start-up overlaps the caller's other work. */
  prewarm(n: number): void {
    while (this.workers < Math.min(n, this.size)) {
      const pw = this.spawn();
      if (!pw) return;
      this.idle.push(pw);
    }
  }

  release(pw: PoolWorker): void {
    pw.onMessage = undefined;
    pw.onExit = undefined;
    const next = this.waiting.shift();
    if (pw.dead) {
      // its place is free: the next job starts a new worker
      next?.(this.workers < this.size ? this.spawn() : undefined);
      return;
    }
    pw.worker.unref();
    if (next) next(pw);
    else this.idle.push(pw);
  }

  id(): number {
    return this.nextId++;
  }
}

let pool: GunzipPool | undefined;
const getPool = (): GunzipPool => (pool ??= new GunzipPool(Math.max(2, Math.min(4, os.availableParallelism()))));

/** Whether gunzip can run on worker threads here: zlib has the handle the worker drives, and no worker failed to start. */
export function gunzipPoolAvailable(): boolean {
  if (handleUsable === undefined) {
    const probe = zlib.createGunzip();
    handleUsable = typeof (probe as unknown as { _handle?: { writeSync?: unknown } })._handle?.writeSync === 'function';
    probe.close();
  }
  return handleUsable && getPool().available;
}

let handleUsable: boolean | undefined;

/**
 * Starts gunzip workers ahead of their first job (a worker takes tens of milliseconds to start): a caller that knows
 * it will gunzip layers soon calls this before its other set-up (manifests, the database), which then overlaps it.
 */
export function prewarmGunzipPool(layers: number): void {
  if (gunzipPoolAvailable()) getPool().prewarm(layers);
}

/** Layers an image scan walks at once by default (so: gunzips at once): two, or one on a single core. */
export const DEFAULT_CONCURRENT_LAYERS = Math.min(2, os.availableParallelism());

type Input =
  | { stream: AsyncIterable<Uint8Array> }
  | { file: string; start: number; length: number; algo?: string | undefined }
  | { download: (ctl: DownloadControl) => Promise<void>; algo: string; onBytes?: ((bytes: number) => void) | undefined };

/**
 * Gunzips a stream on a worker thread. Each chunk yielded is a view of shared memory, valid until the consumer asks
 * for the next one (a synchronous consumer, like `TarWalker.push`, is done with it by then). Errors of the input
 * stream reach the consumer as they are; a gzip error is a `GunzipError`. `result` settles when the stream is over.
 */
export function gunzipStream(input: AsyncIterable<Uint8Array>): GunzipJob {
  return run({ stream: input });
}

/**
 * Downloads a gzip blob on a worker thread, hashing (`algo`) and gunzipping it as it arrives: this thread sees
 * neither the network bytes nor the compressed data, only the output (as `gunzipStream`). `drive` makes the GETs
 * (`ctl.get`), deciding on auth, retries and resumption from each outcome, and resolves when the blob is whole and
 * verified; what it throws reaches the consumer as it is.
 */
export function gunzipDownload(
  algo: string,
  drive: (ctl: DownloadControl) => Promise<void>,
  onBytes?: (bytes: number) => void,
): GunzipJob {
  return run({ download: drive, algo, onBytes });
}

/** A download's body is not gzip (its first bytes say so): nothing was inflated, the caller may read it another way. */
export class NotGzipError extends Error {
  constructor(readonly subject: string) {
    super(`${subject}: not gzip-compressed`);
    this.name = 'NotGzipError';
  }
}

/** Reads a file range on a worker thread and gunzips it; with `algo`, also hashes the compressed bytes read. */
export function gunzipFile(file: string, start: number, length: number, algo?: string): GunzipJob {
  return run({ file, start, length, algo });
}

function run(input: Input): GunzipJob {
  let settle!: { resolve: (r: GunzipInput) => void; reject: (e: unknown) => void };
  const result = new Promise<GunzipInput>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => undefined);
  const chunks = (async function* (): AsyncGenerator<Buffer> {
    const p = getPool();
    const pw = await p.acquire();
    if (!pw) throw new Error('gunzip worker could not be started');
    const id = p.id();
    // Events from the worker and the input pump, consumed in order by the loop below.
    const outs: { slot: number; len: number }[] = [];
    const freeIn: number[] = [];
    for (let i = IN_SLOTS - 1; i >= 0; i--) freeIn.push(i);
    let failure: unknown;
    let finished: GunzipInput | undefined;
    let pumpDone = 'file' in input;
    // The consumer waits for output or the end; the pump for a free input slot; a download's driver for its GET.
    const wake = new Signal();
    const wakeIn = new Signal();
    const gotten = new Signal<DownloadOutcome>();
    pw.onMessage = (m) => {
      if (m.id !== id) return;
      if (m.t === 'got') {
        gotten.fire(outcomeOf(m));
        return;
      }
      if (m.t === 'progress') {
        if ('download' in input) input.onBytes?.(m.bytesIn);
        return;
      }
      if (m.t === 'out') outs.push({ slot: m.slot, len: m.len });
      else if (m.t === 'inFree') {
        freeIn.push(m.slot);
        wakeIn.fire();
      } else if (m.t === 'done') finished = { bytesIn: m.bytesIn, digest: m.digest };
      else {
        failure ??= new GunzipError(m.message, m.code);
        // a download waiting on its GET learns that the stream failed: its driver stops
        gotten.fire({ kind: 'interrupted', bytes: 0, message: m.message, code: m.code });
      }
      wake.fire();
    };
    pw.onExit = (e) => {
      failure ??= e;
      wake.fire();
      gotten.fire({ kind: 'network', bytes: 0, message: e.message, code: undefined });
      wakeIn.fire();
    };
    pw.worker.ref(); // a job in flight keeps the process alive until it ends
    let stopped = false;
    /** Runs what feeds the worker (a stream's pump, a download's driver); when it gets to the end, so does the worker's input. */
    const feeding = async (feed: () => Promise<boolean>): Promise<void> => {
      try {
        if (!(await feed()) || stopped || failure !== undefined) return;
        pw.worker.postMessage({ t: 'end', id });
        pumpDone = true;
      } catch (e) {
        failure ??= { input: e };
      } finally {
        wake.fire();
      }
    };
    /** Copies a stream into the input slots; false when the job stopped first. */
    const pump = async (src: AsyncIterable<Uint8Array>): Promise<boolean> => {
      let slot = -1;
      let fill = 0;
      const send = (): void => {
        pw.worker.postMessage({ t: 'in', id, slot, len: fill });
        slot = -1;
        fill = 0;
      };
      for await (const c of src) {
        let off = 0;
        while (off < c.length) {
          if (stopped || failure !== undefined) return false;
          if (slot === -1) {
            while (freeIn.length === 0) {
              await wakeIn.wait();
              if (stopped || failure !== undefined) return false;
            }
            slot = freeIn.pop() as number;
          }
          const n = Math.min(c.length - off, SLOT_BYTES - fill);
          pw.inRing.set(off === 0 && n === c.length ? c : c.subarray(off, off + n), slot * SLOT_BYTES + fill);
          fill += n;
          off += n;
          if (fill === SLOT_BYTES) send();
        }
      }
      if (stopped || failure !== undefined) return false;
      if (fill > 0) send();
      return true;
    };
    /** Lets a download's driver make its GETs through the worker. */
    const drive = async (d: (ctl: DownloadControl) => Promise<void>): Promise<boolean> => {
      await d({
        get: (url, headers, timeoutMs, maxBytes) => {
          if (stopped || failure !== undefined) return Promise.reject(new Error('gunzip stopped'));
          const outcome = gotten.wait();
          pw.worker.postMessage({ t: 'get', id, url, headers, timeoutMs, maxBytes });
          return outcome;
        },
      });
      return true;
    };
    pw.worker.postMessage({
      t: 'start',
      id,
      ...('file' in input ? { file: input.file, start: input.start, length: input.length, algo: input.algo } : 'download' in input ? { algo: input.algo } : {}),
    });
    const pumping = 'stream' in input ? feeding(() => pump(input.stream)) : 'download' in input ? feeding(() => drive(input.download)) : Promise.resolve();
    let held = -1;
    let clean = false;
    try {
      for (;;) {
        if (held !== -1) {
          pw.worker.postMessage({ t: 'free', id, slot: held });
          held = -1;
        }
        if (failure !== undefined) break;
        const o = outs.shift();
        if (o) {
          held = o.slot;
          yield pw.outRing.subarray(o.slot * SLOT_BYTES, o.slot * SLOT_BYTES + o.len);
          continue;
        }
        if (finished && pumpDone) break;
        await wake.wait();
      }
      if (failure !== undefined) {
        const f = failure as { input?: unknown };
        throw typeof f === 'object' && f !== null && 'input' in f ? f.input : failure;
      }
      settle.resolve(finished as GunzipInput);
      clean = true;
    } catch (e) {
      settle.reject(e);
      throw e;
    } finally {
      stopped = true;
      wakeIn.fire();
      if (!clean) {
        settle.reject(new Error('gunzip stopped before the end of its input'));
        pw.worker.postMessage({ t: 'abort', id });
        gotten.fire({ kind: 'interrupted', bytes: 0, message: 'gunzip stopped', code: undefined });
      }
      await pumping;
      p.release(pw);
    }
  })();
  return { chunks, result };
}

/** One waiter at a time: `wait()` parks until `fire(value)`; firing with nobody waiting does nothing. */
class Signal<T = void> {
  private waiter: ((v: T) => void) | undefined;

  wait(): Promise<T> {
    return new Promise<T>((resolve) => (this.waiter = resolve));
  }

  fire(...v: [T] extends [void] ? [] : [T]): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.(...(v as [T]));
  }
}

function outcomeOf(m: Extract<FromWorker, { t: 'got' }>): DownloadOutcome {
  switch (m.kind) {
    case 'complete':
      return { kind: 'complete', bytes: m.bytesIn, digest: m.digest ?? '' };
    case 'status':
      return { kind: 'status', bytes: m.bytesIn, status: m.status ?? 0, statusText: m.statusText ?? '', www: m.www };
    case 'network':
    case 'interrupted':
      return { kind: m.kind, bytes: m.bytesIn, message: m.message ?? '', code: m.code };
    default:
      return { kind: m.kind, bytes: m.bytesIn };
  }
}
