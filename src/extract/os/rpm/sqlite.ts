/**
 * Reader for rpm's SQLite backend (`rpmdb.sqlite`, rpm ≥ 4.16): table Packages(hnum, blob).
 * Opened in memory from the bytes we were handed (better-sqlite3 deserializes a Buffer).
 */
import Database from 'better-sqlite3';
import { type RpmBlob, type RpmBlobs } from './blobs.js';
import { FormatError } from '../../formats/error.js';

const MAGIC = 'SQLite format 3\u0000';

export function isSqlite(data: Uint8Array): boolean {
  if (data.length < 16) return false;
  for (let i = 0; i < 16; i++) if (data[i] !== MAGIC.charCodeAt(i)) return false;
  return true;
}

export function readSqlite(data: Uint8Array): RpmBlobs {
  if (data.length < 100) throw new FormatError(`SQLite file too short (${data.length} bytes)`);
  // A copy: SQLite may write to a deserialized image, and the caller's bytes stay untouched.
  const image = Buffer.from(data);
  // rpm keeps the database in WAL mode (header bytes 18/19 = 2), which an in-memory image cannot
  // open. Marking it as rollback-journal reads the same main-file pages; a sibling -wal file with
  // uncommitted transactions is not consulted.
  if (image[18] === 2) image[18] = 1;
  if (image[19] === 2) image[19] = 1;
  let db: Database.Database | undefined;
  try {
    db = new Database(image);
    const rows = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').all() as { hnum: unknown; blob: unknown }[];
    const blobs: RpmBlob[] = [];
    const problems: { message: string }[] = [];
    for (const row of rows) {
      const id = typeof row.hnum === 'number' ? row.hnum : Number(row.hnum);
      if (row.blob instanceof Uint8Array) blobs.push({ id, blob: row.blob });
      else problems.push({ message: `row ${id}: blob is not binary` });
    }
    return { blobs, problems };
  } catch (e) {
    throw new FormatError(`SQLite: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    db?.close();
  }
}
