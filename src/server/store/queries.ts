import type { RawBuilder, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Severity } from '../../core/severity.js';
import { severityRank } from '../../core/severity.js';
import { RANK_SEVERITY } from './rows.js';
import type { Scope, Store } from './store.js';
import type { Database } from './types.js';
import { likeContains } from './util.js';

/** The read side used by the API and the dashboard. Every list is paginated and runs a fixed number of queries. */

export interface Page<T> {
  items: T[];
  total?: number;
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface ScanSummaryView {
  id: number;
  receivedAt: string;
  reportCreatedAt: string;
  target: { kind: string; name: string };
  toolVersion: string;
  gate: { passed: boolean; failOn: string; profile: string | null; reason: string };
  packages: number;
  findings: number;
  open: Record<Severity, number>;
  suppressed: number;
  fixable: number;
  worstSeverity: Severity | null;
}

export interface ProjectView {
  name: string;
  team: string | null;
  createdAt: string;
  latestScan: ScanSummaryView | null;
}

export interface FindingView {
  id: string;
  aliases: string[];
  package: { ecosystem: string; name: string; version: string; purl: string; dev: boolean };
  severity: string;
  fixable: boolean;
  fixedVersion: string | null;
  fixState: string;
  title: string | null;
  suppressed: boolean;
  suppressedBy: string | null;
  status: 'open' | 'resolved';
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface FindingFilter {
  severity?: Severity[];
  fixable?: boolean;
  suppressed?: boolean;
  package?: string;
  /** open (default): in the latest scan; all: also findings no longer seen. */
  status?: 'open' | 'all';
}

export function encodeCursor(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

export function decodeCursor<T>(c: string | undefined, check: (v: unknown) => v is T): T | undefined {
  if (!c) return undefined;
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    return check(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

const isNumPair = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every((x) => Number.isInteger(x));
const isNum = (v: unknown): v is number => Number.isInteger(v);

type LooseScan = { id: number | null } & { [K in (typeof SCAN_COLUMNS)[number]]: Database['scans'][K] | null };

function scanView(s: LooseScan): ScanSummaryView | null {
  if (s.id === null || s.id === undefined) return null;
  const n = (x: unknown): number => Number(x ?? 0);
  return {
    id: s.id,
    receivedAt: s.received_at ?? '',
    reportCreatedAt: s.report_created_at ?? '',
    target: { kind: s.target_kind ?? '', name: s.target_name ?? '' },
    toolVersion: s.tool_version ?? '',
    gate: { passed: n(s.gate_passed) === 1, failOn: s.gate_fail_on ?? '', profile: s.gate_profile ?? null, reason: s.gate_reason ?? '' },
    packages: n(s.package_count),
    findings: n(s.finding_count),
    open: { CRITICAL: n(s.open_critical), HIGH: n(s.open_high), MEDIUM: n(s.open_medium), LOW: n(s.open_low), UNKNOWN: n(s.open_unknown) },
    suppressed: n(s.suppressed_count),
    fixable: n(s.fixable_count),
    worstSeverity: n(s.worst_rank) >= 0 ? (RANK_SEVERITY[n(s.worst_rank)] ?? null) : null,
  };
}

const SCAN_COLUMNS = [
  'received_at',
  'report_created_at',
  'target_kind',
  'target_name',
  'tool_version',
  'gate_passed',
  'gate_fail_on',
  'gate_profile',
  'gate_reason',
  'package_count',
  'finding_count',
  'open_critical',
  'open_high',
  'open_medium',
  'open_low',
  'open_unknown',
  'suppressed_count',
  'fixable_count',
  'worst_rank',
] as const;

/** The projects a scope may see, as a condition on the alias `p` (projects). */
function scopeCondition(scope: Scope): RawBuilder<boolean> | undefined {
  if (scope === 'all') return undefined;
  if (scope.teamIds.length === 0) return sql<boolean>`1 = 0`;
  return sql<boolean>`p.team_id in (${sql.join(scope.teamIds)})`;
}

/** `column LIKE %text%` where `%`, `_` and `\` in the text match themselves (ESCAPE is explicit: SQLite has no default). */
function containsText(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${sql.raw(column)}) like ${likeContains(text.toLowerCase())} escape '\\'`;
}

export class ReadModel {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.db;
  }

  /** The portfolio: projects with their latest scan summary, worst open severity first. */
  async projects(scope: Scope, opts: { limit: number; offset: number; q?: string; gate?: 'passed' | 'failed' }): Promise<Page<ProjectView>> {
    let base = this.db
      .selectFrom('projects as p')
      .leftJoin('scans as s', 's.id', 'p.latest_scan_id')
      .leftJoin('teams as t', 't.id', 'p.team_id');
    if (opts.q) base = base.where(containsText('p.name', opts.q));
    if (opts.gate) base = base.where('s.gate_passed', '=', opts.gate === 'passed' ? 1 : 0);
    const inScope = scopeCondition(scope);
    if (inScope) base = base.where(inScope);
    const [rows, count] = await Promise.all([
      base
        .select(['p.name', 'p.created_at', 't.name as team', 's.id', ...SCAN_COLUMNS.map((c) => `s.${c}` as const)])
        .orderBy(sql`coalesce(s.worst_rank, -2)`, 'desc')
        .orderBy(sql`coalesce(s.open_critical, 0)`, 'desc')
        .orderBy(sql`coalesce(s.open_high, 0)`, 'desc')
        .orderBy('p.name')
        .limit(opts.limit)
        .offset(opts.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    const total = Number(count.n);
    return {
      items: rows.map((r) => ({ name: r.name, team: r.team, createdAt: r.created_at, latestScan: scanView(r) })),
      total,
      nextCursor: opts.offset + rows.length < total ? encodeCursor(opts.offset + rows.length) : null,
    };
  }

  /** Portfolio totals over every visible project's latest scan (one aggregate query). */
  async summary(scope: Scope): Promise<{ projects: number; scanned: number; failing: number; open: Record<Severity, number>; queue: Record<string, number> }> {
    let q = this.db.selectFrom('projects as p').leftJoin('scans as s', 's.id', 'p.latest_scan_id');
    const inScope = scopeCondition(scope);
    if (inScope) q = q.where(inScope);
    const sum = (c: string) => sql<string>`coalesce(sum(${sql.ref(c)}), 0)`;
    const r = await q
      .select((eb) => [
        eb.fn.countAll().as('projects'),
        eb.fn.count('s.id').as('scanned'),
        sql<string>`coalesce(sum(case when s.gate_passed = 0 then 1 else 0 end), 0)`.as('failing'),
        sum('s.open_critical').as('critical'),
        sum('s.open_high').as('high'),
        sum('s.open_medium').as('medium'),
        sum('s.open_low').as('low'),
        sum('s.open_unknown').as('unknown'),
      ])
      .executeTakeFirstOrThrow();
    const n = (x: unknown) => Number(x ?? 0);
    return {
      projects: n(r.projects),
      scanned: n(r.scanned),
      failing: n(r.failing),
      open: { CRITICAL: n(r.critical), HIGH: n(r.high), MEDIUM: n(r.medium), LOW: n(r.low), UNKNOWN: n(r.unknown) },
      queue: scope === 'all' ? await this.store.queue.stats() : {},
    };
  }

  async project(projectId: number): Promise<ProjectView> {
    const r = await this.db
      .selectFrom('projects as p')
      .leftJoin('scans as s', 's.id', 'p.latest_scan_id')
      .leftJoin('teams as t', 't.id', 'p.team_id')
      .select(['p.name', 'p.created_at', 't.name as team', 's.id', ...SCAN_COLUMNS.map((c) => `s.${c}` as const)])
      .where('p.id', '=', projectId)
      .executeTakeFirstOrThrow();
    return { name: r.name, team: r.team, createdAt: r.created_at, latestScan: scanView(r) };
  }

  async findings(project: { id: number; latest_scan_id: number | null }, filter: FindingFilter, limit: number, cursor?: string): Promise<Page<FindingView>> {
    const status = filter.status ?? 'open';
    if (status === 'open' && project.latest_scan_id === null) return { items: [], total: 0, nextCursor: null };
    let q = this.db.selectFrom('findings as f').where('f.project_id', '=', project.id);
    if (status === 'open') q = q.where('f.is_open', '=', 1);
    if (filter.severity && filter.severity.length > 0) q = q.where('f.severity_rank', 'in', filter.severity.map(severityRank));
    if (filter.fixable !== undefined) q = q.where('f.fixable', '=', filter.fixable ? 1 : 0);
    if (filter.suppressed !== undefined) q = q.where('f.suppressed', '=', filter.suppressed ? 1 : 0);
    if (filter.package) {
      const text = filter.package;
      q = q.where((eb) => eb.or([containsText('f.package_name', text), containsText('f.package_purl', text)]));
    }
    const after = decodeCursor(cursor, isNumPair);
    let pageQ = q;
    if (after) {
      const [rank, id] = after;
      pageQ = pageQ.where((eb) => eb.or([eb('f.severity_rank', '<', rank), eb.and([eb('f.severity_rank', '=', rank), eb('f.id', '>', id)])]));
    }
    const [rows, count, latest] = await Promise.all([
      pageQ.selectAll('f').orderBy('f.severity_rank', 'desc').orderBy('f.id').limit(limit + 1).execute(),
      q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
      this.db.selectFrom('scans').select('received_at').where('id', '=', project.latest_scan_id ?? -1).executeTakeFirst(),
    ]);
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((f) => findingView(f, latest?.received_at ?? null)),
      total: Number(count.n),
      nextCursor: more && last ? encodeCursor([last.severity_rank, last.id]) : null,
    };
  }

  async scans(projectId: number, limit: number, cursor?: string): Promise<Page<ScanSummaryView>> {
    let q = this.db.selectFrom('scans').select(['id', ...SCAN_COLUMNS]).where('project_id', '=', projectId);
    const before = decodeCursor(cursor, isNum);
    if (before !== undefined) q = q.where('id', '<', before);
    const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map((s) => scanView(s) as ScanSummaryView), nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
  }

  /** Open findings per severity at each of the project's last `limit` scans, oldest first. */
  async trend(projectId: number, limit: number): Promise<{ at: string; scanId: number; open: Record<Severity, number> }[]> {
    const rows = await this.db
      .selectFrom('scans')
      .select(['id', 'received_at', 'open_critical', 'open_high', 'open_medium', 'open_low', 'open_unknown'])
      .where('project_id', '=', projectId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map((r) => ({
      at: r.received_at,
      scanId: r.id,
      open: { CRITICAL: r.open_critical, HIGH: r.open_high, MEDIUM: r.open_medium, LOW: r.open_low, UNKNOWN: r.open_unknown },
    }));
  }

  /** Projects whose latest scan has an open finding known by this id (the advisory id or any alias). */
  async searchVuln(scope: Scope, vuln: string, limit: number, offset: number): Promise<Page<FindingView & { project: string }>> {
    const base = this.db
      .selectFrom('finding_aliases as a')
      .innerJoin('findings as f', (j) => j.onRef('f.project_id', '=', 'a.project_id').onRef('f.fingerprint', '=', 'a.fingerprint'))
      .innerJoin('projects as p', 'p.id', 'f.project_id')
      .where('a.alias', '=', vuln)
      .where('f.is_open', '=', 1);
    const inScope = scopeCondition(scope);
    const q = inScope ? base.where(inScope) : base;
    const [rows, count] = await Promise.all([
      q.leftJoin('scans as ls', 'ls.id', 'p.latest_scan_id').selectAll('f').select(['p.name as project', 'ls.received_at as latest_at']).orderBy('p.name').orderBy('f.id').limit(limit).offset(offset).execute(),
      q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    const total = Number(count.n);
    return {
      items: rows.map((r) => ({ project: r.project, ...findingView(r, r.latest_at) })),
      total,
      nextCursor: offset + rows.length < total ? encodeCursor(offset + rows.length) : null,
    };
  }

  /** Projects whose latest inventory has this package (by name), with its open findings count and worst severity. */
  async searchPackage(
    scope: Scope,
    name: string,
    limit: number,
    offset: number,
  ): Promise<Page<{ project: string; ecosystem: string; name: string; version: string; purl: string; openFindings: number; worstSeverity: string | null }>> {
    const base = this.db
      .selectFrom('packages as k')
      .innerJoin('projects as p', 'p.id', 'k.project_id')
      .where('k.name', '=', name)
      .where('k.is_open', '=', 1);
    const inScope = scopeCondition(scope);
    const q = inScope ? base.where(inScope) : base;
    const [rows, count] = await Promise.all([
      q.select(['p.id as project_id', 'p.name as project', 'p.latest_scan_id', 'k.ecosystem', 'k.name', 'k.version', 'k.purl']).orderBy('p.name').orderBy('k.purl').limit(limit).offset(offset).execute(),
      q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    // One query for the findings of every package on the page (no per-row query).
    const counts = new Map<string, { n: number; worst: number }>();
    if (rows.length > 0) {
      const agg = await this.db
        .selectFrom('findings as f')
        .select(['f.project_id', 'f.package_purl', (eb) => eb.fn.countAll().as('n'), (eb) => eb.fn.max('f.severity_rank').as('worst')])
        .where('f.package_name', '=', name)
        .where('f.suppressed', '=', 0)
        .where('f.project_id', 'in', [...new Set(rows.map((r) => r.project_id))])
        .where('f.is_open', '=', 1)
        .groupBy(['f.project_id', 'f.package_purl'])
        .execute();
      for (const a of agg) counts.set(`${a.project_id} ${a.package_purl}`, { n: Number(a.n), worst: Number(a.worst) });
    }
    const total = Number(count.n);
    return {
      items: rows.map((r) => {
        const c = counts.get(`${r.project_id} ${r.purl}`);
        return {
          project: r.project,
          ecosystem: r.ecosystem,
          name: r.name,
          version: r.version,
          purl: r.purl,
          openFindings: c?.n ?? 0,
          worstSeverity: c ? (RANK_SEVERITY[c.worst] ?? null) : null,
        };
      }),
      total,
      nextCursor: offset + rows.length < total ? encodeCursor(offset + rows.length) : null,
    };
  }
}

/** A finding as the API shows it; an open one was last seen in its project's latest scan, received at `latestAt`. */
function findingView(f: Selectable<Database['findings']>, latestAt: string | null): FindingView {
  const open = Number(f.is_open) === 1;
  return {
    id: f.vuln_id,
    aliases: (JSON.parse(f.aliases) as string[]).filter((a) => a !== f.vuln_id),
    package: { ecosystem: f.package_ecosystem, name: f.package_name, version: f.package_version, purl: f.package_purl, dev: Number(f.dev) === 1 },
    severity: f.severity,
    fixable: Number(f.fixable) === 1,
    fixedVersion: f.fixed_version,
    fixState: f.fix_state,
    title: f.title,
    suppressed: Number(f.suppressed) === 1,
    suppressedBy: f.suppressed_by,
    status: open ? 'open' : 'resolved',
    firstSeenAt: f.first_seen_at,
    lastSeenAt: open && latestAt !== null ? latestAt : f.last_seen_at,
  };
}
