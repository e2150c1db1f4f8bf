import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from './migrations.js';
import type { Database } from './types.js';
import { chunks } from './util.js';

type ColumnType = 'text' | 'integer';

/**
 * Inserts many rows with one statement per chunk. On PostgreSQL the rows travel as one JSON parameter
 * (`json_to_recordset`): no per-row query building and one bound value instead of rows × columns.
 */
export async function bulkInsert<T extends keyof Database & string>(
  trx: Transaction<Database>,
  engine: Engine,
  table: T,
  columns: Record<string, ColumnType>,
  rows: Record<string, string | number | null>[],
  opts: { onConflictDoNothing?: boolean } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(columns);
  if (engine === 'postgres') {
    const list = sql.join(names.map((n) => sql.ref(n)));
    const types = sql.join(names.map((n) => sql`${sql.ref(n)} ${sql.raw(columns[n]!)}`));
    const conflict = opts.onConflictDoNothing ? sql`on conflict do nothing` : sql``;
    for (const part of chunks(rows, 5000)) {
      await sql`insert into ${sql.table(table)} (${list}) select ${list} from json_to_recordset(${JSON.stringify(part)}::json) as x(${types}) ${conflict}`.execute(trx);
    }
    return;
  }
  const size = Math.max(1, Math.floor(900 / names.length));
  for (const part of chunks(rows, size)) {
    const values = sql.join(part.map((r) => sql`(${sql.join(names.map((n) => r[n] ?? null))})`));
    const conflict = opts.onConflictDoNothing ? sql`on conflict do nothing` : sql``;
    await sql`insert into ${sql.table(table)} (${sql.join(names.map((n) => sql.ref(n)))}) values ${values} ${conflict}`.execute(trx);
  }
}
