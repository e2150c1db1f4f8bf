/**
 * Minimal promise wrapper over yauzl for reading Java archives through positional reads: the central directory
 * and the entries a caller selects, never the whole archive. Selected entries come back as files: small ones
 * inflated (with a byte cap enforced while inflating), stored nested archives as a window of the outer file.
 */
import { Readable } from 'node:stream';
import type * as Yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { lazyRequire, once } from '../../../util/lazy.js';
import type { RandomAccessFile } from '../../types.js';
import { bytesFile, sliceFile } from '../../util/random-access.js';

// yauzl is loaded when the first archive is opened: a scan without Java archives does not pay for it.
const yauzl = lazyRequire<typeof Yauzl>('yauzl');

export class ZipReadError extends Error {}

export interface ZipEntryInfo {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
}

/** What to do with a selected entry: inflate it into memory (up to `cap` bytes), or, when it is stored uncompressed, hand out its window of the archive. */
export interface ZipSelection {
  cap: number;
  /** A stored (uncompressed) entry is not read: it is returned as a window of the archive (nested archives). */
  windowIfStored?: boolean;
}

export interface ZipContents {
  entries: ZipEntryInfo[];
  /** The selected entries, in archive order. */
  files: Map<string, RandomAccessFile>;
  /** Selected entries that could not be read, with the reason. */
  failed: Map<string, string>;
}

const WINDOW_BYTES = 64 * 1024;

/** yauzl's reader over a RandomAccessFile, reads served from one cached window, so that its many small reads of the central directory cost few real reads. */
const fileReader = once(
  () =>
    class FileReader extends yauzl().RandomAccessReader {
      private window: { start: number; bytes: Uint8Array } | undefined;

      constructor(private readonly file: RandomAccessFile) {
        super();
      }

      private async bytes(position: number, length: number): Promise<Uint8Array> {
        const w = this.window;
        if (w && position >= w.start && position + length <= w.start + w.bytes.byteLength) {
          return w.bytes.subarray(position - w.start, position - w.start + length);
        }
        if (length >= WINDOW_BYTES) return this.file.read(position, length);
        const bytes = await this.file.read(position, WINDOW_BYTES);
        this.window = { start: position, bytes };
        return bytes.subarray(0, Math.min(length, bytes.byteLength));
      }

      override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
        this.bytes(position, length).then(
          (b) => {
            buffer.set(b, offset);
            callback(null, b.byteLength);
          },
          (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
        );
      }

      override _readStreamForRange(start: number, end: number): Readable {
        let pos = start;
        const file = this.file;
        return new Readable({
          read() {
            if (pos >= end) {
              this.push(null);
              return;
            }
            const n = Math.min(WINDOW_BYTES, end - pos);
            file.read(pos, n).then(
              (b) => {
                pos += n;
                if (b.byteLength === 0) this.push(null);
                else this.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
              },
              (e: unknown) => this.destroy(e instanceof Error ? e : new Error(String(e))),
            );
          },
        });
      }
    },
);

function open(file: RandomAccessFile): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    const opts = { lazyEntries: true, validateEntrySizes: true, decodeStrings: true, strictFileNames: false, autoClose: false };
    yauzl().fromRandomAccessReader(new (fileReader())(file), file.size, opts, (err, zip) => {
      if (err || !zip) reject(new ZipReadError(err ? err.message : 'cannot open zip'));
      else resolve(zip);
    });
  });
}

function readEntry(zip: ZipFile, entry: Entry, cap: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (entry.uncompressedSize > cap) {
      reject(new ZipReadError(`declared size ${entry.uncompressedSize} exceeds cap ${cap}`));
      return;
    }
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) {
        reject(new ZipReadError(err ? err.message : 'cannot read entry'));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      stream.on('data', (c: Buffer) => {
        total += c.length;
        if (total > cap) {
          stream.destroy(new ZipReadError(`inflated past cap ${cap}`));
          return;
        }
        chunks.push(c);
      });
      stream.on('error', (e) => reject(e instanceof ZipReadError ? e : new ZipReadError(e.message)));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

/** The window of a stored, unencrypted entry whose data lies inside the archive, or undefined to read it the usual way. */
async function storedWindow(zip: ZipFile, entry: Entry, file: RandomAccessFile, cap: number): Promise<RandomAccessFile | undefined> {
  if (entry.compressionMethod !== 0 || entry.isEncrypted() || entry.compressedSize !== entry.uncompressedSize || entry.uncompressedSize > cap) return undefined;
  const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
  if (fileDataStart + entry.compressedSize > file.size) return undefined;
  return sliceFile(file, fileDataStart, entry.compressedSize);
}

/**
 * Reads a zip through positional reads. `select(entry)` returns how to read an entry, or undefined to skip it.
 */
export async function readZip(file: RandomAccessFile, select: (e: ZipEntryInfo) => ZipSelection | undefined): Promise<ZipContents> {
  const zip = await open(file);
  const out: ZipContents = { entries: [], files: new Map(), failed: new Map() };
  try {
    return await new Promise((resolve, reject) => {
      zip.on('error', (e: Error) => reject(new ZipReadError(e.message)));
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: Entry) => {
        const info: ZipEntryInfo = { name: entry.fileName, compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize };
        out.entries.push(info);
        const how = entry.fileName.endsWith('/') ? undefined : select(info);
        if (how === undefined) {
          zip.readEntry();
          return;
        }
        const read = async (): Promise<RandomAccessFile> => {
          const window = how.windowIfStored ? await storedWindow(zip, entry, file, how.cap).catch(() => undefined) : undefined;
          return window ?? bytesFile(await readEntry(zip, entry, how.cap));
        };
        read()
          .then((f) => out.files.set(entry.fileName, f))
          .catch((e: unknown) => out.failed.set(entry.fileName, e instanceof Error ? e.message : String(e)))
          .finally(() => zip.readEntry());
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}
