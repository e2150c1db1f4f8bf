import crypto from 'node:crypto';
import type { Kysely, RawBuilder, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { ScanReport } from '../../core/report.js';
import type { Engine } from './migrations.js';
import type { FindingRow, PackageRow } from './rows.js';
import { reportRows } from './rows.js';
import type { Database } from './types.js';
import { recordInventory } from '../monitor/inventory.js';
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

/** A finding's content as a re-scan compares it: every column the upsert would write but the fingerprint and first/last seen. */
function contentHash(f: FindingRow): string {
  const { fingerprint: _fingerprint, ...content } = f;
  return crypto.createHash('sha1').update(JSON.stringify(content)).digest('base64');
}

/** A report converted from another scanner's (src/import) names that scanner in tool.importedFrom. */
function importedFrom(report: ScanReport): string | null {
  const from = (report.tool as { importedFrom?: unknown }).importedFrom;
  return from !== undefined && from !== null && typeof from === 'object' ? JSON.stringify(from) : null;
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
   * scan ids then follow commit order, and the newest scan's findings are the open ones.
   */
  async write(trx: Transaction<Database>, projectId: number, queueId: number | null, report: ScanReport): Promise<number> {
    if (this.engine === 'postgres') {
      await trx.selectFrom('projects').select('id').where('id', '=', projectId).forUpdate().execute();
    }
    const { findings, packages, summary } = reportRows(report);
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
        ...summary,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.upsertPackages(trx, projectId, scan.id, packages);
    await this.upsertFindings(trx, projectId, scan.id, receivedAt, findings);
    await recordInventory(trx, this.engine, projectId, scan.id, report, receivedAt);
    await trx
      .updateTable('projects')
      .set({ latest_scan_id: scan.id })
      .where('id', '=', projectId)
      .where((eb) => eb.or([eb('latest_scan_id', 'is', null), eb('latest_scan_id', '<', scan.id)]))
      .execute();
    return scan.id;
  }

  private async upsertPackages(trx: Transaction<Database>, projectId: number, scanId: number, packages: PackageRow[]): Promise<void> {
    if (this.engine === 'postgres') {
      // One JSON parameter per statement (see upsertFindingsPg).
      for (const part of chunks(packages, 5000)) {
        await sql`
          insert into packages (project_id, purl, ecosystem, name, version, first_seen_scan_id, last_seen_scan_id)
          select ${projectId}::integer, x.purl, x.ecosystem, x.name, x.version, ${scanId}::integer, ${scanId}::integer
            from json_to_recordset(${JSON.stringify(part)}::json) as x(purl text, ecosystem text, name text, version text)
          on conflict (project_id, purl) do update set
            version = case when excluded.last_seen_scan_id > packages.last_seen_scan_id then excluded.version else packages.version end,
            last_seen_scan_id = case when excluded.last_seen_scan_id > packages.last_seen_scan_id then excluded.last_seen_scan_id else packages.last_seen_scan_id end`.execute(trx);
      }
      return;
    }
    for (const part of chunks(packages, CHUNK)) {
      await trx
        .insertInto('packages')
        .values(part.map((p) => ({ ...p, project_id: projectId, first_seen_scan_id: scanId, last_seen_scan_id: scanId })))
        .onConflict((oc) =>
          oc.columns(['project_id', 'purl']).doUpdateSet({
            version: newer('packages', 'version'),
            last_seen_scan_id: newer('packages', 'last_seen_scan_id'),
          }),
        )
        .execute();
    }
  }

  private async upsertFindings(trx: Transaction<Database>, projectId: number, scanId: number, at: string, findings: FindingRow[]): Promise<void> {
    if (this.engine === 'postgres') return this.upsertFindingsPg(trx, projectId, scanId, at, findings);
    const f = <C extends keyof Database['findings'] & string>(column: C) => newer('findings', column);
    for (const part of chunks(findings, CHUNK)) {
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
            last_seen_scan_id: f('last_seen_scan_id'),
          }),
        )
        .execute();
      const aliases = part.flatMap((row) => row.aliases.map((alias) => ({ project_id: projectId, fingerprint: row.fingerprint, alias })));
      await bulkInsert(trx, this.engine, 'finding_aliases', { project_id: 'integer', fingerprint: 'text', alias: 'text' }, aliases, { onConflictDoNothing: true });
    }
  }

  /**
   * PostgreSQL, in two statements. First the findings this project already holds with the same content (the
   * steady state of CI: most of a re-scan) only have last seen moved on — the parameters are two arrays of
   * fingerprints and content hashes, not the rows. Then the others (new, changed, or stored from a newer scan)
   * go as one JSON parameter (json_to_recordset) into the upsert, with their aliases in the same statement:
   * only the aliases of findings that are new or whose alias list changed are inserted (the statement's snapshot
   * is from before its own upsert, so the join reads the stored lists).
   */
  private async upsertFindingsPg(trx: Transaction<Database>, projectId: number, scanId: number, at: string, findings: FindingRow[]): Promise<void> {
    const hashes = findings.map(contentHash);
    const touched = new Set<string>();
    for (let i = 0; i < findings.length; i += 5000) {
      const r = await sql<{ fingerprint: string }>`
        update findings f set last_seen_at = ${at}::text, last_seen_scan_id = ${scanId}::integer
          from unnest(${findings.slice(i, i + 5000).map((f) => f.fingerprint)}::text[], ${hashes.slice(i, i + 5000)}::text[]) as x(fingerprint, content_hash)
         where f.project_id = ${projectId}::integer and f.fingerprint = x.fingerprint and f.content_hash = x.content_hash and f.last_seen_scan_id < ${scanId}::integer
        returning f.fingerprint`.execute(trx);
      for (const row of r.rows) touched.add(row.fingerprint);
    }
    const rest: (FindingRow & { content_hash: string })[] = [];
    findings.forEach((f, i) => {
      if (!touched.has(f.fingerprint)) rest.push({ ...f, content_hash: hashes[i]! });
    });
    if (rest.length === 0) return;
    const text = ['fingerprint', 'vuln_id', 'aliases', 'package_purl', 'package_ecosystem', 'package_name', 'package_version', 'severity', 'fixed_version', 'fix_state', 'title', 'suppressed_by', 'content_hash'];
    const ints = ['severity_rank', 'fixable', 'suppressed', 'dev'];
    const cols = [...text, ...ints];
    const types = sql.join([...text.map((c) => sql`${sql.ref(c)} text`), ...ints.map((c) => sql`${sql.ref(c)} integer`)]);
    const updated = ['aliases', 'severity', 'severity_rank', 'fixable', 'fixed_version', 'fix_state', 'title', 'suppressed', 'suppressed_by', 'dev', 'content_hash', 'last_seen_at', 'last_seen_scan_id'];
    const sets = sql.join(
      updated.map((c) => sql`${sql.ref(c)} = case when excluded.last_seen_scan_id > findings.last_seen_scan_id then ${sql.ref(`excluded.${c}`)} else ${sql.ref(`findings.${c}`)} end`),
    );
    for (const part of chunks(rest, 2000)) {
      const json = JSON.stringify(part.map((r) => ({ ...r, aliases: JSON.stringify(r.aliases) })));
      await sql`
        with x as materialized (select * from json_to_recordset(${json}::json) as x(${types})),
        upsert as (
          insert into findings (project_id, ${sql.join(cols.map((c) => sql.ref(c)))}, first_seen_at, last_seen_at, first_seen_scan_id, last_seen_scan_id)
          select ${projectId}::integer, ${sql.join(cols.map((c) => sql.ref(`x.${c}`)))}, ${at}::text, ${at}::text, ${scanId}::integer, ${scanId}::integer from x
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
