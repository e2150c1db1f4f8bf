import fs from 'node:fs';
import path from 'node:path';
import type { BulkClient, BulkFailure } from './bulk.js';
import type { EcsDocument } from './ecs.js';

/**
 * A resumable export: a source hands out batches in a fixed order, each with a position; after the cluster
 * has answered for every document of a batch, the cursor stores its position, and a restarted sink asks the
 * source for what comes after it. The server implements `ExportSource` over its scans (position = scan
 * sequence number) and `CursorStore` over a table row; the CLI over report files and a cursor file.
 *
 * A batch whose documents the cluster refused for good (mapping errors) still moves the cursor: retrying
 * cannot help, and the failures are returned to be reported. A cluster that stays unavailable stops the
 * run before the cursor moves, so the batch is sent again next time.
 */
export interface ExportBatch {
  /** Opaque; the source compares positions, the cursor only stores them. */
  position: string;
  documents: EcsDocument[];
}

export interface ExportSource {
  /** Batches after `position` (all of them when undefined), in order. */
  batchesAfter(position: string | undefined): AsyncIterable<ExportBatch>;
}

export interface CursorStore {
  load(): Promise<string | undefined>;
  save(position: string): Promise<void>;
}

export interface SinkRunResult {
  batches: number;
  stored: number;
  failed: BulkFailure[];
  /** The cursor after the run. */
  position: string | undefined;
}

export async function runSink(source: ExportSource, client: Pick<BulkClient, 'send'>, cursor: CursorStore): Promise<SinkRunResult> {
  let position = await cursor.load();
  const result: SinkRunResult = { batches: 0, stored: 0, failed: [], position };
  for await (const batch of source.batchesAfter(position)) {
    const r = await client.send(batch.documents);
    result.stored += r.stored;
    result.failed.push(...r.failed);
    await cursor.save(batch.position);
    position = batch.position;
    result.position = position;
    result.batches++;
  }
  return result;
}

/** A cursor kept in a small JSON file, replaced atomically. */
export class FileCursorStore implements CursorStore {
  constructor(private readonly file: string) {}

  async load(): Promise<string | undefined> {
    let text: string;
    try {
      text = await fs.promises.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || typeof (v as { position?: unknown }).position !== 'string') throw new Error(`${this.file}: not a Bulwark export cursor`);
    return (v as { position: string }).position;
  }

  async save(position: string): Promise<void> {
    const tmp = `${this.file}.tmp-${process.pid}`;
    await fs.promises.mkdir(path.dirname(path.resolve(this.file)), { recursive: true });
    await fs.promises.writeFile(tmp, JSON.stringify({ position, savedAt: new Date().toISOString() }) + '\n');
    await fs.promises.rename(tmp, this.file);
  }
}

/** An in-memory cursor (tests, one-shot exports). */
export class MemoryCursorStore implements CursorStore {
  constructor(public position?: string) {}
  async load(): Promise<string | undefined> {
    return this.position;
  }
  async save(position: string): Promise<void> {
    this.position = position;
  }
}
