import path from 'node:path';
import type { FileProblem, Package, Unknown } from '../core/package.js';
import type { DatabaseInfo, OsReport, ScanTarget, UndecidedReport } from '../core/report.js';
import { REPORT_SCHEMA_VERSION } from '../core/report.js';
import type { AdvisoryReader } from '../advisory/reader.js';
import { matchPackages } from '../match/engine.js';
import { VERSION } from '../version.js';

export interface Inventory {
  target: ScanTarget;
  os: OsReport | null;
  packages: Package[];
  unknowns: Unknown[];
  errors: FileProblem[];
}

function databaseInfo(db: AdvisoryReader, ecosystems: Set<string>): { info: DatabaseInfo; unknowns: Unknown[] } {
  const status = db.feeds();
  const unknowns: Unknown[] = [];
  for (const f of status) {
    if (f.status !== 'failed') continue;
    // A failing feed degrades only its ecosystem: say so where this scan depends on it.
    const affects = [...ecosystems].filter((e) => f.id === `osv/${e.split(':')[0]}` || f.id.startsWith(`${e.split(':')[0]!.toLowerCase()}/`));
    if (affects.length > 0) {
      unknowns.push({
        kind: 'no-advisory-data',
        message: `advisory feed ${f.id} failed its last update (${f.error ?? 'unknown error'}); ${affects.join(', ')} matched against its data of ${f.imported_at ?? 'never'}`,
        ecosystem: affects[0]!,
      });
    }
  }
  return {
    info: {
      builtAt: db.meta('built_at') ?? null,
      feeds: status.filter((f) => f.status !== 'missing').map((f) => ({ id: f.id, status: f.status, fetchedAt: f.fetched_at, error: f.error })),
    },
    unknowns,
  };
}

/**
 * Match → report: the part of a scan that is the same for every kind of target. The report has no gate yet:
 * src/policy/decide.ts applies suppressions and decides it.
 */
export function buildReport(inventory: Inventory, db: AdvisoryReader, now: Date = new Date()): UndecidedReport {
  const { findings, unknowns } = matchPackages(inventory.packages, db);
  const ecosystems = new Set(inventory.packages.map((p) => p.ecosystem));
  const dbInfo = databaseInfo(db, ecosystems);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'bulwark', version: VERSION },
    createdAt: now.toISOString(),
    target: inventory.target,
    os: inventory.os,
    database: dbInfo.info,
    packages: inventory.packages,
    findings,
    unknowns: [...inventory.unknowns, ...unknowns, ...dbInfo.unknowns],
    errors: inventory.errors,
  };
}

/** A display name for a local target: relative to the working directory when inside it. */
export function targetName(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}
