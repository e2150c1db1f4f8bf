import type { Kysely } from 'kysely';
import { packagesScanOf } from './inventory.js';
import type { AdvisoryReader } from '../../advisory/reader.js';
import type { Package } from '../../core/package.js';
import type { Finding, GateResult } from '../../core/report.js';
import { isSeverity } from '../../core/severity.js';
import { matchPackages } from '../../match/engine.js';
import type { Policy } from '../../policy/decide.js';
import { decide } from '../../policy/decide.js';
import type { Database } from '../store/types.js';
import { undecided } from './evaluate.js';

export interface BranchFinding {
  id: string;
  severity: Finding['severity'];
  ecosystem: string;
  package: string;
  version: string;
  fixedVersion: string | null;
}

export type BranchDiff =
  | { ready: true; baseScanned: boolean; added: BranchFinding[]; fixed: BranchFinding[]; gate: GateResult }
  | { ready: false; why: string };

/** A vulnerability in a package, whatever its version: an upgrade that keeps it is neither added nor fixed. */
function key(id: string, ecosystem: string, name: string): string {
  return `${id}\n${ecosystem}\n${name}`;
}

/**
 * A merge/pull request scan against its project's current state on the default branch: the scan's inventory
 * matched with the server's advisory database and decided with the project's policy (the server's gate), its open
 * findings compared with the open findings of the default branch's inventory of the same target. Not ready while
 * that inventory has never been evaluated (its first match is queued); no inventory at all compares with nothing.
 */
export async function branchDiff(db: Kysely<Database>, reader: AdvisoryReader, policy: Policy, scan: { projectId: number; scanId: number; target: string }, now: Date): Promise<BranchDiff> {
  const inv = await db.selectFrom('inventories').select(['id', 'evaluated_at']).where('project_id', '=', scan.projectId).where('target', '=', scan.target).executeTakeFirst();
  if (inv && inv.evaluated_at === null) return { ready: false, why: `the default branch's ${scan.target} has not been evaluated yet` };
  const packages = (
    await db
      .selectFrom('scans as s')
      .innerJoin('scan_packages as sp', (j) => j.on('sp.scan_id', '=', packagesScanOf('s')))
      .select('sp.data')
      .where('s.id', '=', scan.scanId)
      .execute()
  ).map((r) => JSON.parse(r.data) as Package);
  const matched = matchPackages(packages, reader);
  const report = decide(undecided(matched.findings, packages, scan.target, now), policy, now).report;
  const mine = new Map<string, BranchFinding>();
  for (const f of report.findings) {
    if (f.suppressed) continue;
    mine.set(key(f.id, f.package.ecosystem, f.package.name), { id: f.id, severity: f.severity, ecosystem: f.package.ecosystem, package: f.package.name, version: f.package.version, fixedVersion: f.fixedVersion });
  }
  const base = new Map<string, BranchFinding>();
  if (inv) {
    const rows = await db.selectFrom('monitor_findings').select(['advisory_id', 'severity', 'ecosystem', 'name', 'version', 'fixed_version']).where('inventory_id', '=', inv.id).where('state', '=', 'open').execute();
    for (const r of rows) base.set(key(r.advisory_id, r.ecosystem, r.name), { id: r.advisory_id, severity: isSeverity(r.severity) ? r.severity : 'UNKNOWN', ecosystem: r.ecosystem, package: r.name, version: r.version, fixedVersion: r.fixed_version });
  }
  return {
    ready: true,
    baseScanned: inv !== undefined,
    added: [...mine].filter(([k]) => !base.has(k)).map(([, f]) => f),
    fixed: [...base].filter(([k]) => !mine.has(k)).map(([, f]) => f),
    gate: report.gate,
  };
}
