/**
 * Minimal promise wrapper over yauzl for reading Java archives from memory: lists entries and
 * reads the ones a caller selects, each with a byte cap enforced while inflating.
 */
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';

export class ZipReadError extends Error {}

export interface ZipEntryInfo {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
}

export interface ZipContents {
  entries: ZipEntryInfo[];
  /** Bytes of the selected entries. */
  files: Map<string, Buffer>;
  /** Selected entries that could not be read, with the reason. */
  failed: Map<string, string>;
}

function open(buf: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true, decodeStrings: true, strictFileNames: false }, (err, zip) => {
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

/**
 * Reads a zip held in memory. `select(entry)` returns a byte cap for entries to read, or
 * undefined to skip them.
 */
export async function readZip(buf: Buffer, select: (e: ZipEntryInfo) => number | undefined): Promise<ZipContents> {
  const zip = await open(buf);
  const out: ZipContents = { entries: [], files: new Map(), failed: new Map() };
  return new Promise((resolve, reject) => {
    zip.on('error', (e: Error) => reject(new ZipReadError(e.message)));
    zip.on('end', () => resolve(out));
    zip.on('entry', (entry: Entry) => {
      const info: ZipEntryInfo = { name: entry.fileName, compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize };
      out.entries.push(info);
      const cap = entry.fileName.endsWith('/') ? undefined : select(info);
      if (cap === undefined) {
        zip.readEntry();
        return;
      }
      readEntry(zip, entry, cap)
        .then((b) => out.files.set(entry.fileName, b))
        .catch((e: unknown) => out.failed.set(entry.fileName, e instanceof Error ? e.message : String(e)))
        .finally(() => zip.readEntry());
    });
    zip.readEntry();
  });
}
