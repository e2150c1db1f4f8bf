import crypto from 'node:crypto';
import type { RawBuilder, Transaction } from 'kysely';
import { sql } from 'kysely';
import { packageLookupName } from '../../core/ecosystem.js';
import type { Package } from '../../core/package.js';
import type { ScanReport } from '../../core/report.js';
import type { Database } from '../store/types.js';
import type { Engine } from '../store/migrations.js';
import { bulkInsert } from '../store/bulk.js';
import { isDefaultBranchScan } from '../../core/ci.js';
import { MergeRequestRepository } from '../store/merge-requests.js';

/** The (ecosystem, lookup name) an advisory feed keys a package by; distro feeds use the source package. */
export function packageKey(pkg: Package): { ecosystem: string; keyName: string } {
  const name = pkg.source && pkg.ecosystem.includes(':') ? pkg.source.name : pkg.name;
  return { ecosystem: pkg.ecosystem, keyName: packageLookupName(pkg.ecosystem, name) };
}

/** The target a scan describes: its name (a branch, an image digest when known, a path). */
export function targetOf(report: ScanReport): string {
  return report.target.image?.manifestDigest ? `${report.target.image.reference}@${report.target.image.manifestDigest}` : report.target.name;
}

const SCAN_PACKAGE_COLUMNS = { scan_id: 'integer', ecosystem: 'text', key_name: 'text', name: 'text', version: 'text', purl: 'text', data: 'text' } as const;

/** A scan's inventory before it is written: its hash and its target's current inventory. */
export interface InventoryPlan {
  target: string;
  hash: string;
  /** The target's current inventory (before this scan) and the scan whose rows hold it. */
  current: { id: number; scanId: number; packagesScanId: number; hash: string | null } | null;
  /** The scan whose scan_packages rows already hold this very inventory (the current one, unchanged): none are written. */
  sameAs: number | null;
}

/**
 * Reads what a scan's inventory is compared with: the current inventory of the same (project, target). A re-scan
 * whose packages are the same, in the same order, as that one's (the steady state of CI) writes no copy of them
 * and queues no match: the current match already holds. Call before the scan row is written (it names `sameAs`).
 */
export async function planInventory(trx: Transaction<Database>, projectId: number, report: ScanReport): Promise<InventoryPlan> {
  const digest = crypto.hash('sha1', JSON.stringify(report.packages), 'base64');
  const target = targetOf(report);
  const row = await trx
    .selectFrom('inventories as i')
    .innerJoin('scans as s', 's.id', 'i.scan_id')
    .select(['i.id', 'i.scan_id', 's.packages_scan_id', 's.package_set_hash'])
    .where('i.project_id', '=', projectId)
    .where('i.target', '=', target)
    .executeTakeFirst();
  const current = row ? { id: row.id, scanId: row.scan_id, packagesScanId: row.packages_scan_id ?? row.scan_id, hash: row.package_set_hash } : null;
  return { target, hash: digest, current, sameAs: current && current.hash === digest ? current.packagesScanId : null };
}

/** The scan whose scan_packages rows hold a scan's inventory, as a SQL expression over that scan's row. */
export function packagesScanOf(scan: 's' | 'ms'): RawBuilder<number> {
  return sql<number>`coalesce(${sql.ref(`${scan}.packages_scan_id`)}, ${sql.ref(`${scan}.id`)})`;
}

/**
 * Inside the scan's transaction, after its row: keeps the scan's whole inventory (unless `plan.sameAs` holds it),
 * makes it the current state of its (project, target) when it is the newest scan there, and queues the
 * server-side match of it when its packages changed. The match runs in a monitor job, not here, so ingestion
 * never waits for the advisory database. A scan of a merge request or of another branch than the default one
 * (its `ci` block says so) keeps its inventory but is not made current.
 */
export async function recordInventory(trx: Transaction<Database>, engine: Engine, projectId: number, scanId: number, report: ScanReport, at: string, plan: InventoryPlan): Promise<number | null> {
  if (plan.sameAs === null) {
    const rows = report.packages.map((p) => {
      const k = packageKey(p);
      return { scan_id: scanId, ecosystem: k.ecosystem, key_name: k.keyName, name: p.name, version: p.version, purl: p.purl, data: JSON.stringify(p) };
    });
    await bulkInsert(trx, engine, 'scan_packages', SCAN_PACKAGE_COLUMNS, rows);
  }
  // A merge/pull request's scan (or another branch's) is not the default branch's state: it is answered on the
  // merge request (compared with that state) instead of becoming it.
  if (!isDefaultBranchScan(report.ci)) {
    if (report.ci?.mergeRequest !== undefined) await MergeRequestRepository.queue(trx, projectId, scanId, plan.target, report.ci, at);
    return null;
  }
  const moved = await trx
    .insertInto('inventories')
    .values({ project_id: projectId, target: plan.target, scan_id: scanId, updated_at: at, gate_passed: null, gate_reason: null, gate_profile: null, evaluated_at: null })
    .onConflict((oc) =>
      oc
        .columns(['project_id', 'target'])
        .doUpdateSet((eb) => ({ scan_id: eb.ref('excluded.scan_id'), updated_at: eb.ref('excluded.updated_at') }))
        .where('inventories.scan_id', '<', scanId),
    )
    .returning('id')
    .executeTakeFirst();
  // Not moved: a newer scan of this target is already current (this one committed late).
  if (!moved) return plan.current?.id ?? null;
  if (plan.sameAs === null) {
    await trx
      .insertInto('monitor_jobs')
      .values({ inventory_id: moved.id, cause_kind: 'scan', cause_id: String(scanId), refresh_id: null, status: 'queued', lease_owner: null, lease_until: null, error: null, created_at: at, done_at: null })
      .execute();
  }
  return moved.id;
}
