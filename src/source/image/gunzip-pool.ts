import os from 'node:os';
import zlib from 'node:zlib';
import type { Worker } from 'node:worker_threads';
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
 * Input comes from the walking thread (`gunzipStream`: a registry blob as it arrives, copied into the worker's input
 * ring) or from a file range the worker reads itself (`gunzipFile`, optionally hashing what it reads, so the digest of
 * a blob on disk is checked without another read). Workers start on first use, are reused
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

parentPort.on('message', (m) => {
  if (m.t === 'start') {
    if (job) { job.over = true; job.gz.close(); }
    const gz = zlib.createGunzip();
    gz.on('error', () => undefined); // read through gz.errored after each call
    const j = { id: m.id, gz, free: [], slot: -1, fill: 0, over: false, bytesIn: 0, chain: Promise.resolve(), wake: undefined };
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

type FromWorker =
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

type Input = { stream: AsyncIterable<Uint8Array> } | { file: string; start: number; length: number; algo?: string | undefined };

/**
 * Gunzips a stream on a worker thread. Each chunk yielded is a view of shared memory, valid until the consumer asks
 * for the next one (a synchronous consumer, like `TarWalker.push`, is done with it by then). Errors of the input
 * stream reach the consumer as they are; a gzip error is a `GunzipError`. `result` settles when the stream is over.
 */
export function gunzipStream(input: AsyncIterable<Uint8Array>): GunzipJob {
  return run({ stream: input });
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
    let pumpDone = !('stream' in input);
    // The consumer waits for output or the end; the pump for a free input slot.
    const wake = new Signal();
    const wakeIn = new Signal();
    pw.onMessage = (m) => {
      if (m.id !== id) return;
      if (m.t === 'out') outs.push({ slot: m.slot, len: m.len });
      else if (m.t === 'inFree') {
        freeIn.push(m.slot);
        wakeIn.fire();
      } else if (m.t === 'done') finished = { bytesIn: m.bytesIn, digest: m.digest };
      else failure ??= new GunzipError(m.message, m.code);
      wake.fire();
    };
    pw.onExit = (e) => {
      failure ??= e;
      wake.fire();
      wakeIn.fire();
    };
    pw.worker.ref(); // a job in flight keeps the process alive until it ends
    let stopped = false;
    /** Copies a stream into the input slots, then ends the worker's input; stops when the job stops. */
    const pump = async (src: AsyncIterable<Uint8Array>): Promise<void> => {
      let slot = -1;
      let fill = 0;
      const send = (): void => {
        pw.worker.postMessage({ t: 'in', id, slot, len: fill });
        slot = -1;
        fill = 0;
      };
      try {
        for await (const c of src) {
          let off = 0;
          while (off < c.length) {
            if (stopped || failure !== undefined) return;
            if (slot === -1) {
              while (freeIn.length === 0) {
                await wakeIn.wait();
                if (stopped || failure !== undefined) return;
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
        if (stopped || failure !== undefined) return;
        if (fill > 0) send();
        pw.worker.postMessage({ t: 'end', id });
        pumpDone = true;
      } catch (e) {
        failure ??= { input: e };
      } finally {
        wake.fire();
      }
    };
    pw.worker.postMessage({
      t: 'start',
      id,
      ...('file' in input ? { file: input.file, start: input.start, length: input.length, algo: input.algo } : {}),
    });
    const pumping = 'stream' in input ? pump(input.stream) : Promise.resolve();
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
      }
      await pumping;
      p.release(pw);
    }
  })();
  return { chunks, result };
}

/** One waiter at a time: `wait()` parks until `fire()`; firing with nobody waiting does nothing. */
class Signal {
  private waiter: (() => void) | undefined;

  wait(): Promise<void> {
    return new Promise<void>((resolve) => (this.waiter = resolve));
  }

  fire(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
