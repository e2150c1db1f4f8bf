import os from 'node:os';
import { Worker } from 'node:worker_threads';

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
 * Input comes either from the walking thread (`gunzipStream`: a registry blob arriving over the network, copied into
 * the worker's input ring) or from a file range the worker reads itself (`gunzipFile`, optionally hashing what it
 * reads, so the digest of a blob on disk is checked without another read). Workers start on first use, are reused
 * for later layers, and never keep the process alive when idle. When a worker cannot be started the caller falls
 * back to gunzip on its own thread (`gunzipPoolAvailable`).
 */

/** Bytes per ring slot: zlib's output chunk size, so that one chunk fills at most one slot. */
const SLOT_BYTES = 1 << 20;
const IN_SLOTS = 3;
const OUT_SLOTS = 4;

// Plain CommonJS: an eval'd worker needs no file on disk, so this works from dist/ and from the bundle alike.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const zlib = require('node:zlib');
const fs = require('node:fs');
const crypto = require('node:crypto');
const { slotBytes, outSlots } = workerData;
const inRing = Buffer.from(workerData.inRing);
const outRing = Buffer.from(workerData.outRing);
let job;

function post(j, m) { if (job === j) parentPort.postMessage({ id: j.id, ...m }); }
function fail(j, e) {
  if (job !== j || j.over) return;
  j.over = true;
  post(j, { t: 'error', message: String((e && e.message) || e), code: e && e.code });
  j.gz.destroy();
}
function emit(j, c) {
  const slot = j.free.pop();
  c.copy(outRing, slot * slotBytes);
  post(j, { t: 'out', slot, len: c.length });
}
function maybeDone(j) {
  if (j.over || !j.gzEnded || j.pending.length > 0) return;
  j.over = true;
  post(j, { t: 'done', bytesIn: j.bytesIn, digest: j.hash ? j.algo + ':' + j.hash.digest('hex') : undefined });
}
function drained(gz) {
  return new Promise((r) => {
    const go = () => { gz.off('drain', go); gz.off('close', go); r(); };
    gz.on('drain', go);
    gz.on('close', go);
  });
}
async function readFile(j, m) {
  let fh;
  try {
    fh = await fs.promises.open(m.file, 'r');
    let pos = m.start;
    let left = m.length;
    while (left > 0 && job === j && !j.over) {
      const buf = Buffer.allocUnsafe(Math.min(slotBytes, left));
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const b = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
      if (j.hash) j.hash.update(b);
      j.bytesIn += bytesRead;
      pos += bytesRead;
      left -= bytesRead;
      if (!j.gz.write(b)) await drained(j.gz);
    }
    if (job === j && !j.over) j.gz.end();
  } catch (e) {
    fail(j, e);
  } finally {
    if (fh) await fh.close().catch(() => undefined);
  }
}

parentPort.on('message', (m) => {
  if (m.t === 'start') {
    if (job) { job.over = true; job.gz.destroy(); }
    const j = { id: m.id, gz: zlib.createGunzip({ chunkSize: slotBytes }), free: [], pending: [], gzEnded: false, over: false, bytesIn: 0 };
    for (let i = outSlots - 1; i >= 0; i--) j.free.push(i);
    if (m.algo) { j.algo = m.algo; j.hash = crypto.createHash(m.algo); }
    job = j;
    j.gz.on('data', (c) => {
      if (job !== j || j.over) return;
      if (j.free.length === 0 || j.pending.length > 0) { j.pending.push(c); j.gz.pause(); return; }
      emit(j, c);
    });
    j.gz.on('end', () => { j.gzEnded = true; maybeDone(j); });
    j.gz.on('error', (e) => fail(j, e));
    if (m.file !== undefined) readFile(j, m);
    return;
  }
  const j = job;
  if (!j || m.id !== j.id) return;
  if (m.t === 'in') {
    j.bytesIn += m.len;
    j.gz.write(inRing.subarray(m.slot * slotBytes, m.slot * slotBytes + m.len), () => post(j, { t: 'inFree', slot: m.slot }));
  } else if (m.t === 'end') {
    j.gz.end();
  } else if (m.t === 'free') {
    j.free.push(m.slot);
    while (j.pending.length > 0 && j.free.length > 0) emit(j, j.pending.shift());
    if (j.pending.length === 0) { j.gz.resume(); maybeDone(j); }
  } else if (m.t === 'abort') {
    j.over = true;
    job = undefined;
    j.gz.destroy();
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
      worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { inRing: inShared, outRing: outShared, slotBytes: SLOT_BYTES, outSlots: OUT_SLOTS } });
    } catch {
      this.broken = true;
      return undefined;
    }
    this.workers++;
    const pw: PoolWorker = { worker, inRing: Buffer.from(inShared), outRing: Buffer.from(outShared), onMessage: undefined, onExit: undefined, dead: false };
    worker.unref();
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
    return pw;
  }

  /** A worker for one job: an idle one, a new one, or the next one freed (undefined: none can be started). */
  acquire(): Promise<PoolWorker | undefined> {
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.workers < this.size) return Promise.resolve(this.spawn());
    return new Promise((resolve) => this.waiting.push(resolve));
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

/** Whether gunzip can run on worker threads here (false once a worker failed to start). */
export function gunzipPoolAvailable(): boolean {
  return getPool().available;
}

type Input = { stream: AsyncIterable<Uint8Array> } | { file: string; start: number; length: number; algo?: string | undefined };

/**
 * Gunzips a stream on a worker thread. Each chunk yielded is a view of shared memory, valid until the consumer asks
 * for the next one (a synchronous consumer, like `TarWalker.push`, is done with it by then). Errors of the input
 * stream reach the consumer as they are; a gzip error is a `GunzipError`. `result` settles when the stream is over.
 */
export function gunzipStream(input: AsyncIterable<Uint8Array>): { chunks: AsyncGenerator<Buffer>; result: Promise<GunzipInput> } {
  return run({ stream: input });
}

/** Reads a file range on a worker thread and gunzips it; with `algo`, also hashes the compressed bytes read. */
export function gunzipFile(file: string, start: number, length: number, algo?: string): { chunks: AsyncGenerator<Buffer>; result: Promise<GunzipInput> } {
  return run({ file, start, length, algo });
}

function run(input: Input): { chunks: AsyncGenerator<Buffer>; result: Promise<GunzipInput> } {
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
    let wake: (() => void) | undefined;
    let wakeIn: (() => void) | undefined;
    const poke = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    pw.onMessage = (m) => {
      if (m.id !== id) return;
      if (m.t === 'out') outs.push({ slot: m.slot, len: m.len });
      else if (m.t === 'inFree') {
        freeIn.push(m.slot);
        const w = wakeIn;
        wakeIn = undefined;
        w?.();
      } else if (m.t === 'done') finished = { bytesIn: m.bytesIn, digest: m.digest };
      else failure ??= new GunzipError(m.message, m.code);
      poke();
    };
    pw.onExit = (e) => {
      failure ??= e;
      poke();
      const w = wakeIn;
      wakeIn = undefined;
      w?.();
    };
    pw.worker.ref(); // a job in flight keeps the process alive until it ends
    let stopped = false;
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
                await new Promise<void>((r) => (wakeIn = r));
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
        poke();
      }
    };
    pw.worker.postMessage({ t: 'start', id, ...('file' in input ? { file: input.file, start: input.start, length: input.length, algo: input.algo } : {}) });
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
        await new Promise<void>((r) => (wake = r));
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
      const w = wakeIn;
      wakeIn = undefined;
      w?.();
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
