import type { FixState, Reference } from '../core/advisory.js';
import type { FileProblem, Location, Package, Unknown } from '../core/package.js';
import type { Finding, OsReport, ScanTarget } from '../core/report.js';
import { REPORT_SCHEMA_VERSION } from '../core/report.js';
import type { Severity } from '../core/severity.js';
import { severityRank } from '../core/severity.js';
import { DEFAULT_GATE, evaluateGate } from '../policy/gate.js';
import type { GateOptions } from '../policy/gate.js';
import { schemeForEcosystem } from '../versioning/registry.js';
import { VERSION } from '../version.js';
import type { OsHint } from './package-id.js';
import { identifyPackage } from './package-id.js';
import type { ImportedFrom, ImportedReport } from './types.js';

/** One vulnerability on one package, as a scanner reported it. */
export interface ImportedVuln {
  id: string;
  aliases?: readonly string[];
  package: { name: string; version: string; kind?: string; purl?: string; sourceName?: string; os?: OsHint; dev?: boolean };
  severity: Severity;
  /** Who rated it, as the source says ("nvd", "debian", "ghsa"); recorded as "<TYPE> (<scanner>/<vendor>)". */
  severityVendor?: string;
  severityType?: 'TOOL' | 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4';
  cvss?: { score: number; vector: string };
  /** Versions the source says fix it; the lowest above the installed one becomes `fixedVersion`. */
  fixedVersions?: readonly string[];
  fixState?: FixState;
  title?: string;
  references?: readonly string[];
  why?: string;
  locations?: readonly Location[];
  layer?: string;
  /** Set when the source itself marks it as not applying (Trivy not_affected, Dependency-Check suppressions, VEX). */
  suppressed?: { reason: string };
}

function tripleKey(id: string, name: string, version: string): string {
  return JSON.stringify([id, name, version]);
}

function pkgKey(p: { ecosystem: string; name: string; version: string; purl: string }): string {
  return JSON.stringify([p.ecosystem, p.name, p.version]);
}

/** The lowest candidate above the installed version (in the ecosystem's scheme); the first one when they cannot be ordered. */
export function lowestFix(candidates: readonly string[], installed: string, ecosystem: string): string | null {
  const list = [...new Set(candidates.map((c) => c.trim().replace(/^(>=|>|=|\^|~)\s*/, '')).filter((c) => c.length > 0))];
  if (list.length === 0) return null;
  if (list.length === 1) return list[0]!;
  const scheme = schemeForEcosystem(ecosystem);
  try {
    const above = list.filter((c) => !installed || scheme.compare(c, installed) > 0).sort((a, b) => scheme.compare(a, b));
    return above[0] ?? list[0]!;
  } catch {
    return list[0]!;
  }
}

function addLocation(list: Location[], l: Location): void {
  if (!list.some((x) => x.path === l.path && x.line === l.line && x.layer === l.layer)) list.push(l);
}

/**
 * Collects what a parser reads into one Bulwark report: packages merged by (ecosystem, name, version),
 * findings merged by (vulnerability id, package name, version) — the same vulnerability reported twice
 * for one package (two images of a cluster, two files) is one finding with both locations.
 */
export class ReportBuilder {
  private readonly packages = new Map<string, Package>();
  private readonly findings = new Map<string, Finding>();
  private readonly unknowns: Unknown[] = [];
  private readonly errors: FileProblem[] = [];
  private os: OsReport | null = null;

  constructor(
    private readonly file: string,
    private readonly from: Omit<ImportedFrom, 'file'>,
  ) {}

  get scanner(): string {
    return this.from.scanner;
  }

  setOs(os: OsReport | null): void {
    this.os ??= os;
  }

  private readonly ids = new Map<string, ReturnType<typeof identifyPackage>>();

  /** identifyPackage parses and builds purls: once per distinct input, not once per finding. */
  private identify(input: ImportedVuln['package']): ReturnType<typeof identifyPackage> {
    const key = JSON.stringify([input.name, input.version, input.kind, input.purl, input.sourceName, input.os?.family, input.os?.version]);
    let id = this.ids.get(key);
    if (!id) {
      id = identifyPackage(input);
      this.ids.set(key, id);
    }
    return id;
  }

  /** A package the report lists, with or without vulnerabilities. */
  addPackage(input: ImportedVuln['package'], locations: readonly Location[] = []): Package {
    const id = this.identify(input);
    const draft = { ecosystem: id.ecosystem, name: input.name, version: input.version, purl: id.purl };
    const key = pkgKey(draft);
    let p = this.packages.get(key);
    if (!p) {
      p = { ...draft, locations: [], foundBy: `import/${this.from.format}`, ...(id.source ? { source: id.source } : {}), ...(input.dev ? { dev: true } : {}) };
      this.packages.set(key, p);
      if (!input.version) {
        this.unknowns.push({ kind: 'unresolved-version', message: `${this.from.scanner} names ${input.name} without its installed version; it cannot be matched again`, ecosystem: p.ecosystem, package: { name: input.name, purl: p.purl } });
      }
    }
    for (const l of locations) addLocation(p.locations, l);
    return p;
  }

  addVuln(v: ImportedVuln): void {
    const locations = v.locations ?? [];
    const p = this.addPackage(v.package, locations);
    const key = tripleKey(v.id, v.package.name, v.package.version);
    const fixedVersion = lowestFix(v.fixedVersions ?? [], p.version, p.ecosystem);
    const severitySource = v.severity === 'UNKNOWN' && !v.severityVendor ? null : `${v.severityType ?? 'TOOL'} (${this.from.scanner}${v.severityVendor ? `/${v.severityVendor}` : ''})`;
    const existing = this.findings.get(key);
    if (existing) {
      for (const a of v.aliases ?? []) if (a !== existing.id && !existing.aliases.includes(a)) existing.aliases.push(a);
      for (const l of locations) addLocation(existing.locations, l);
      for (const r of v.references ?? []) if (!existing.references.some((x) => x.url === r)) existing.references.push({ type: 'WEB', url: r });
      if (severityRank(v.severity) > severityRank(existing.severity)) {
        existing.severity = v.severity;
        existing.severitySource = severitySource;
        existing.cvss = v.cvss ?? existing.cvss;
      }
      existing.fixedVersion ??= fixedVersion;
      if (existing.fixedVersion && existing.fixState !== 'fixed') existing.fixState = 'fixed';
      // Affected anywhere wins over suppressed somewhere.
      if (existing.suppressed && !v.suppressed) delete existing.suppressed;
      return;
    }
    const references: Reference[] = [...new Set(v.references ?? [])].map((url) => ({ type: 'WEB', url }));
    const finding: Finding = {
      id: v.id,
      aliases: [...new Set((v.aliases ?? []).filter((a) => a !== v.id))],
      package: { ecosystem: p.ecosystem, name: p.name, version: p.version, purl: p.purl, dev: p.dev === true, ...(p.source ? { source: p.source } : {}) },
      severity: v.severity,
      severitySource,
      cvss: v.cvss && v.cvss.score >= 0 && v.cvss.score <= 10 ? v.cvss : null,
      fixedVersion,
      fixState: v.fixState ?? (fixedVersion ? 'fixed' : 'not-fixed'),
      title: v.title ?? null,
      references,
      why: v.why ?? `reported by ${this.from.scanner}${this.from.scannerVersion ? ` ${this.from.scannerVersion}` : ''}`,
      advisories: [{ id: v.id, feed: `import/${this.from.scanner}` }],
      locations: [...locations],
      ...(v.layer ? { layer: v.layer } : {}),
      ...(v.suppressed ? { suppressed: { by: this.from.scanner, reason: v.suppressed.reason } } : {}),
    };
    this.findings.set(key, finding);
  }

  /** An entry that could not become a finding (no id, no package name): kept out, and said so in `errors`. */
  skip(code: string, message: string): void {
    this.errors.push({ path: this.file, extractor: `import/${this.from.format}`, code, message });
  }

  note(message: string): void {
    this.unknowns.push({ kind: 'unsupported', message, path: this.file });
  }

  build(target: ScanTarget, opts: { createdAt?: string; now: Date; gate?: GateOptions; file?: string }): ImportedReport {
    const findings = [...this.findings.values()];
    const created = opts.createdAt && !Number.isNaN(Date.parse(opts.createdAt)) ? new Date(opts.createdAt).toISOString() : opts.now.toISOString();
    return {
      schemaVersion: REPORT_SCHEMA_VERSION,
      tool: { name: 'bulwark', version: VERSION, importedFrom: { ...this.from, ...(opts.file ? { file: opts.file } : {}) } },
      createdAt: created,
      target,
      os: this.os,
      database: null,
      packages: [...this.packages.values()],
      findings,
      unknowns: this.unknowns,
      errors: this.errors,
      gate: evaluateGate(findings, opts.gate ?? DEFAULT_GATE),
    };
  }
}
