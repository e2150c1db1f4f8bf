import type { Transaction } from 'kysely';
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

/**
 * Inside the scan's transaction: keeps the scan's whole inventory, makes it the current state of its
 * (project, target) when it is the newest scan there, and queues the server-side match of it. The match runs
 * in a monitor job, not here, so ingestion never waits for the advisory database. A scan of a merge request or
 * of another branch than the default one (its `ci` block says so) keeps its inventory but is not made current.
 */
export async function recordInventory(trx: Transaction<Database>, engine: Engine, projectId: number, scanId: number, report: ScanReport, at: string): Promise<number | null> {
  const rows = report.packages.map((p) => {
    const k = packageKey(p);
    return { scan_id: scanId, ecosystem: k.ecosystem, key_name: k.keyName, name: p.name, version: p.version, purl: p.purl, data: JSON.stringify(p) };
  });
  await bulkInsert(trx, engine, 'scan_packages', SCAN_PACKAGE_COLUMNS, rows);
  const target = targetOf(report);
  // A merge/pull request's scan (or another branch's) is not the default branch's state: it is answered on the
  // merge request (compared with that state) instead of becoming it.
  if (!isDefaultBranchScan(report.ci)) {
    if (report.ci?.mergeRequest !== undefined) await MergeRequestRepository.queue(trx, projectId, scanId, target, report.ci, at);
    return null;
  }
  await trx
    .insertInto('inventories')
    .values({ project_id: projectId, target, scan_id: scanId, updated_at: at, gate_passed: null, gate_reason: null, gate_profile: null, evaluated_at: null })
    .onConflict((oc) =>
      oc
        .columns(['project_id', 'target'])
        .doUpdateSet((eb) => ({ scan_id: eb.ref('excluded.scan_id'), updated_at: eb.ref('excluded.updated_at') }))
        .where('inventories.scan_id', '<', scanId),
    )
    .execute();
  const inv = await trx.selectFrom('inventories').select(['id', 'scan_id']).where('project_id', '=', projectId).where('target', '=', target).executeTakeFirstOrThrow();
  if (inv.scan_id === scanId) {
    await trx
      .insertInto('monitor_jobs')
      .values({ inventory_id: inv.id, cause_kind: 'scan', cause_id: String(scanId), refresh_id: null, status: 'queued', lease_owner: null, lease_until: null, error: null, created_at: at, done_at: null })
      .execute();
  }
  return inv.id;
}
