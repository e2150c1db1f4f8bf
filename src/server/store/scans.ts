import crypto from 'node:crypto';
import type { Kysely, RawBuilder, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { ScanReport } from '../../core/report.js';
import type { Engine } from './migrations.js';
import type { FindingRow, PackageRow } from './rows.js';
import { reportRows } from './rows.js';
import type { Database } from './types.js';
import { planInventory, recordInventory } from '../monitor/inventory.js';
import { bulkInsert } from './bulk.js';
import { chunks, now } from './util.js';

const CHUNK = 250;

/**
 * In an upsert: the incoming value only when the incoming row is from a newer scan than the stored one, so
 * a scan committed late never moves `last_seen` (and what goes with it) backwards.
 */
function newer<T extends 'findings' | 'packages', C extends keyof Database[T] & string>(table: T, column: C): RawBuilder<Database[T][C]> {
  return sql<Database[T][C]>`case when excluded.last_seen_scan_id > ${sql.ref(`${table}.last_seen_scan_id`)} then ${sql.ref(`excluded.${column}`)} else ${sql.ref(`${table}.${column}`)} end`;
}

/** Every column of a finding row but its key: what a re-scan compares (the type below checks none is missing). */
export const CONTENT_COLUMNS = [
  'vuln_id', 'aliases', 'package_purl', 'package_ecosystem', 'package_name', 'package_version', 'severity', 'severity_rank',
  'fixable', 'fixed_version', 'fix_state', 'title', 'suppressed', 'suppressed_by', 'dev',
] as const satisfies readonly Exclude<keyof FindingRow, 'fingerprint'>[];
const contentComplete: Exclude<Exclude<keyof FindingRow, 'fingerprint'>, (typeof CONTENT_COLUMNS)[number]> extends never ? true : never = true;
void contentComplete;

/**
 * A finding's content as text: each of CONTENT_COLUMNS in turn (written out: a loop over the list costs twice as
 * much, and this runs for every finding of every report; the spec checks that each column changes it).
 */
function contentText(f: FindingRow): string {
  return `${f.vuln_id}\u0001${f.aliases.join('\u0003')}\u0001${f.package_purl}\u0001${f.package_ecosystem}\u0001${f.package_name}\u0001${f.package_version}\u0001${f.severity}\u0001${f.severity_rank}\u0001${f.fixable}\u0001${f.fixed_version ?? '\u0002'}\u0001${f.fix_state}\u0001${f.title ?? '\u0002'}\u0001${f.suppressed}\u0001${f.suppressed_by ?? '\u0002'}\u0001${f.dev}`;
}

/** A finding's content as a re-scan compares it with the stored one's. */
export function contentHash(f: FindingRow): string {
  return crypto.hash('sha1', contentText(f), 'base64');
}

/** All of a scan's finding rows, keys and content, in order: equal for a re-scan that finds the same. */
export function findingsHash(findings: FindingRow[]): string {
  const h = crypto.createHash('sha1');
  for (const f of findings) h.update(`${f.fingerprint}\u0004${contentText(f)}\u0005`);
  return h.digest('base64');
}

/** A report converted from another scanner's (src/import) names that scanner in tool.importedFrom. */
function importedFrom(report: ScanReport): string | null {
  const from = (report.tool as { importedFrom?: unknown }).importedFrom;
  return from !== undefined && from !== null && typeof from === 'object' ? JSON.stringify(from) : null;
}


/**
 * A re-scan against what is open: the rows that are new, changed or back (to write) and the keys of the open
 * rows the scan no longer has (to close). Open rows it has unchanged are left alone: that is most of a re-scan.
 */
export function diffOpenSet<T>(open: Map<string, string | null>, incoming: T[], key: (row: T) => string, content: (row: T) => string): { write: T[]; close: string[] } {
  const write: T[] = [];
  const seen = new Set<string>();
  for (const row of incoming) {
    const k = key(row);
    seen.add(k);
    if (open.get(k) !== content(row)) write.push(row);
  }
  const close = [...open.keys()].filter((k) => !seen.has(k));
  return { write, close };
}

/** Writes reports as scans: the scan row with its summary, the inventory and the findings. */
export class ScanRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
  ) {}

  /** Stores a report as a scan directly (no queue): seeding, benchmarks, imports. */
  async store(projectId: number, report: ScanReport): Promise<number> {
    return this.db.transaction().execute((trx) => this.write(trx, projectId, null, report));
  }

  /**
   * Writes one scan inside the caller's transaction. Scans of one project are serialised by a lock on the
   * project row (PostgreSQL; SQLite has one writer anyway), taken before the scan id is drawn: a project's
   * scan ids then follow commit order, the newest scan's findings are the open ones, and each scan is compared
   * with the one before it. Only what changed is written: unchanged findings and packages are left alone, and an
   * unchanged inventory is neither copied nor matched again.
   */
  async write(trx: Transaction<Database>, projectId: number, queueId: number | null, report: ScanReport): Promise<number> {
    // The project's latest scan before this one: what its open findings and packages were last seen in. Read by
    // the locking statement itself: after waiting for another scan's lock, PostgreSQL returns the row that scan
    // committed (a join here would still read from before: no other table is read in this statement). NO KEY
    // UPDATE: it serialises this project's scans without blocking the foreign-key checks of rows that reference
    // the project (a monitor job writing its events while it holds the inventory this scan is about to move on
    // would otherwise wait for this lock while this scan waits for its: a deadlock).
    let latest = trx.selectFrom('projects').select('latest_scan_id').where('id', '=', projectId);
    if (this.engine === 'postgres') latest = latest.forNoKeyUpdate();
    const previous = (await latest.executeTakeFirst())?.latest_scan_id ?? null;
    const { findings, packages, summary } = reportRows(report);
    const plan = await planInventory(trx, projectId, report);
    const findingsSet = findingsHash(findings);
    // The same findings (or packages) as the project's latest scan: its open set is already this scan's.
    const before = previous === null ? undefined : await trx.selectFrom('scans').select(['findings_hash', 'package_set_hash']).where('id', '=', previous).executeTakeFirst();
    const receivedAt = now();
    const scan = await trx
      .insertInto('scans')
      .values({
        project_id: projectId,
        queue_id: queueId,
        report_created_at: report.createdAt,
        received_at: receivedAt,
        target_kind: report.target.kind,
        target_name: report.target.name,
        tool_version: report.tool.version,
        imported_from: importedFrom(report),
        schema_version: report.schemaVersion,
        gate_passed: report.gate.passed ? 1 : 0,
        gate_fail_on: report.gate.failOn,
        gate_profile: report.gate.profile ?? null,
        gate_reason: report.gate.reason,
        packages_scan_id: plan.sameAs,
        package_set_hash: plan.hash,
        findings_hash: findingsSet,
        ...summary,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (before?.package_set_hash !== plan.hash) await this.writePackages(trx, projectId, scan.id, previous, packages);
    if (before?.findings_hash !== findingsSet) await this.writeFindings(trx, projectId, scan.id, receivedAt, previous, findings);
    await recordInventory(trx, this.engine, projectId, scan.id, report, receivedAt, plan);
    await trx
      .updateTable('projects')
      .set({ latest_scan_id: scan.id })
      .where('id', '=', projectId)
      .where((eb) => eb.or([eb('latest_scan_id', 'is', null), eb('latest_scan_id', '<', scan.id)]))
      .execute();
    return scan.id;
  }

  /** Marks the open rows a scan no longer has as closed, last seen in the scan before it. */
  private async close(trx: Transaction<Database>, table: 'findings' | 'packages', projectId: number, previous: number | null, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    // Something open means an earlier scan had it: the project's latest one.
    if (previous === null) throw new Error(`project ${projectId} has open ${table} but no latest scan`);
    for (const part of chunks(keys, 500)) {
      if (table === 'findings') {
        await trx
          .updateTable('findings')
          .set((eb) => ({ is_open: 0, last_seen_scan_id: previous, last_seen_at: eb.selectFrom('scans').select('received_at').where('id', '=', previous) }))
          .where('project_id', '=', projectId)
          .where('fingerprint', 'in', part)
          .where('is_open', '=', 1)
          .execute();
      } else {
        await trx.updateTable('packages').set({ is_open: 0, last_seen_scan_id: previous }).where('project_id', '=', projectId).where('purl', 'in', part).where('is_open', '=', 1).execute();
      }
    }
  }

  private async writePackages(trx: Transaction<Database>, projectId: number, scanId: number, previous: number | null, packages: PackageRow[]): Promise<void> {
    const open = await trx.selectFrom('packages').select(['purl', 'ecosystem', 'name', 'version']).where('project_id', '=', projectId).where('is_open', '=', 1).execute();
    const content = (p: PackageRow): string => `${p.ecosystem}\n${p.name}\n${p.version}`;
    const diff = diffOpenSet(new Map(open.map((p) => [p.purl, content(p)])), packages, (p) => p.purl, content);
    await this.close(trx, 'packages', projectId, previous, diff.close);
    if (this.engine === 'postgres') {
      // One JSON parameter per statement (see upsertFindingsPg).
      for (const part of chunks(diff.write, 5000)) {
        await sql`
          insert into packages (project_id, purl, ecosystem, name, version, first_seen_scan_id, last_seen_scan_id, is_open)
          select ${projectId}::integer, x.purl, x.ecosystem, x.name, x.version, ${scanId}::integer, ${scanId}::integer, 1
            from json_to_recordset(${JSON.stringify(part)}::json) as x(purl text, ecosystem text, name text, version text)
          on conflict (project_id, purl) do update set
            version = case when excluded.last_seen_scan_id > packages.last_seen_scan_id then excluded.version else packages.version end,
            is_open = case when excluded.last_seen_scan_id > packages.last_seen_scan_id then excluded.is_open else packages.is_open end,
            last_seen_scan_id = case when excluded.last_seen_scan_id > packages.last_seen_scan_id then excluded.last_seen_scan_id else packages.last_seen_scan_id end`.execute(trx);
      }
      return;
    }
    for (const part of chunks(diff.write, CHUNK)) {
      await trx
        .insertInto('packages')
        .values(part.map((p) => ({ ...p, project_id: projectId, first_seen_scan_id: scanId, last_seen_scan_id: scanId, is_open: 1 })))
        .onConflict((oc) =>
          oc.columns(['project_id', 'purl']).doUpdateSet({
            version: newer('packages', 'version'),
            is_open: newer('packages', 'is_open'),
            last_seen_scan_id: newer('packages', 'last_seen_scan_id'),
          }),
        )
        .execute();
    }
  }

  /**
   * The findings a scan adds, changes or brings back are upserted (open, last seen in this scan); the open ones it
   * no longer has are closed (last seen in the scan before); the open ones it has with the same content (compared by
   * a hash of it) are left alone: an open finding's last seen is the project's latest scan.
   */
  private async writeFindings(trx: Transaction<Database>, projectId: number, scanId: number, at: string, previous: number | null, findings: FindingRow[]): Promise<void> {
    const open = await trx.selectFrom('findings').select(['fingerprint', 'content_hash']).where('project_id', '=', projectId).where('is_open', '=', 1).execute();
    const hashes = new Map(findings.map((f) => [f, contentHash(f)]));
    const diff = diffOpenSet(
      new Map(open.map((f) => [f.fingerprint, f.content_hash])),
      findings,
      (f) => f.fingerprint,
      (f) => hashes.get(f)!,
    );
    const write = diff.write.map((f) => ({ ...f, content_hash: hashes.get(f)! }));
    await this.close(trx, 'findings', projectId, previous, diff.close);
    if (write.length === 0) return;
    if (this.engine === 'postgres') return this.upsertFindingsPg(trx, projectId, scanId, at, write);
    const f = <C extends keyof Database['findings'] & string>(column: C) => newer('findings', column);
    for (const part of chunks(write, CHUNK)) {
      await trx
        .insertInto('findings')
        .values(
          part.map((row) => ({
            ...row,
            aliases: JSON.stringify(row.aliases),
            project_id: projectId,
            first_seen_at: at,
            last_seen_at: at,
            first_seen_scan_id: scanId,
            last_seen_scan_id: scanId,
            is_open: 1,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['project_id', 'fingerprint']).doUpdateSet({
            // Every right-hand side reads the stored row as it was before this update.
            last_seen_at: f('last_seen_at'),
            aliases: f('aliases'),
            severity: f('severity'),
            severity_rank: f('severity_rank'),
            fixable: f('fixable'),
            fixed_version: f('fixed_version'),
            fix_state: f('fix_state'),
            title: f('title'),
            suppressed: f('suppressed'),
            suppressed_by: f('suppressed_by'),
            dev: f('dev'),
            content_hash: f('content_hash'),
            is_open: f('is_open'),
            last_seen_scan_id: f('last_seen_scan_id'),
          }),
        )
        .execute();
      const aliases = part.flatMap((row) => row.aliases.map((alias) => ({ project_id: projectId, fingerprint: row.fingerprint, alias })));
      await bulkInsert(trx, this.engine, 'finding_aliases', { project_id: 'integer', fingerprint: 'text', alias: 'text' }, aliases, { onConflictDoNothing: true });
    }
  }

  /**
   * PostgreSQL: the findings to write go as one JSON parameter (json_to_recordset) into the upsert, with their
   * aliases in the same statement: only the aliases of findings that are new or whose alias list changed are
   * inserted (the statement's snapshot is from before its own upsert, so the join reads the stored lists).
   */
  private async upsertFindingsPg(trx: Transaction<Database>, projectId: number, scanId: number, at: string, rows: (FindingRow & { content_hash: string })[]): Promise<void> {
    const text = ['fingerprint', 'vuln_id', 'aliases', 'package_purl', 'package_ecosystem', 'package_name', 'package_version', 'severity', 'fixed_version', 'fix_state', 'title', 'suppressed_by', 'content_hash'];
    const ints = ['severity_rank', 'fixable', 'suppressed', 'dev'];
    const cols = [...text, ...ints];
    const types = sql.join([...text.map((c) => sql`${sql.ref(c)} text`), ...ints.map((c) => sql`${sql.ref(c)} integer`)]);
    const updated = ['aliases', 'severity', 'severity_rank', 'fixable', 'fixed_version', 'fix_state', 'title', 'suppressed', 'suppressed_by', 'dev', 'content_hash', 'is_open', 'last_seen_at', 'last_seen_scan_id'];
    const sets = sql.join(
      updated.map((c) => sql`${sql.ref(c)} = case when excluded.last_seen_scan_id > findings.last_seen_scan_id then ${sql.ref(`excluded.${c}`)} else ${sql.ref(`findings.${c}`)} end`),
    );
    for (const part of chunks(rows, 2000)) {
      const json = JSON.stringify(part.map((r) => ({ ...r, aliases: JSON.stringify(r.aliases) })));
      await sql`
        with x as materialized (select * from json_to_recordset(${json}::json) as x(${types})),
        upsert as (
          insert into findings (project_id, ${sql.join(cols.map((c) => sql.ref(c)))}, first_seen_at, last_seen_at, first_seen_scan_id, last_seen_scan_id, is_open)
          select ${projectId}::integer, ${sql.join(cols.map((c) => sql.ref(`x.${c}`)))}, ${at}::text, ${at}::text, ${scanId}::integer, ${scanId}::integer, 1 from x
          on conflict (project_id, fingerprint) do update set ${sets})
        insert into finding_aliases (project_id, fingerprint, alias)
        select ${projectId}::integer, x.fingerprint, a.alias
          from x
          left join findings f on f.project_id = ${projectId}::integer and f.fingerprint = x.fingerprint
          cross join json_array_elements_text(x.aliases::json) as a(alias)
         where f.aliases is distinct from x.aliases
        on conflict do nothing`.execute(trx);
    }
  }
}
