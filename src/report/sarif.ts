import type { Finding, ScanReport } from '../core/report.js';
import type { Severity } from '../core/severity.js';
import { severityFromScore } from '../core/severity.js';
import { SEVERITY_SCORE, advisoryUrl, digestOf, findingSummary, primaryLocation, sortedFindings } from './common.js';

/**
 * SARIF 2.1.0 as GitHub code scanning ingests it: one rule per vulnerability id (with the
 * `security-severity` property GitHub ranks alerts by), one result per finding located at the
 * manifest or lockfile line that pins the package. Paths are relative to the scanned directory:
 * scan the repository root for GitHub to link them. Suppressed findings carry a SARIF suppression.
 */
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'note', UNKNOWN: 'note' };

/** The CVSS score when it agrees with the severity band, else the middle of the band. */
function securitySeverity(f: Finding): string {
  const score = f.cvss && severityFromScore(f.cvss.score) === f.severity ? f.cvss.score : SEVERITY_SCORE[f.severity];
  return score.toFixed(1);
}

function rule(f: Finding): Record<string, unknown> {
  const url = advisoryUrl(f.id, f);
  const title = f.title ?? `${f.id} in ${f.package.name}`;
  const lines = [
    `**${f.id}**${f.aliases.length ? ` (${f.aliases.join(', ')})` : ''}`,
    '',
    title,
    '',
    `Severity: ${f.severity}${f.cvss ? ` (CVSS ${f.cvss.score} ${f.cvss.vector})` : ''}${f.severitySource ? `, from ${f.severitySource}` : ''}`,
    '',
    ...f.references.slice(0, 10).map((r) => `- ${r.url}`),
  ];
  return {
    id: f.id,
    name: f.id.replace(/[^A-Za-z0-9]/g, ''),
    shortDescription: { text: title.slice(0, 1000) },
    fullDescription: { text: title },
    ...(url ? { helpUri: url } : {}),
    help: { text: lines.join('\n'), markdown: lines.join('\n') },
    defaultConfiguration: { level: LEVEL[f.severity] },
    properties: {
      'security-severity': securitySeverity(f),
      tags: ['security', 'vulnerability', f.package.ecosystem],
      precision: 'very-high',
    },
  };
}

export function renderSarif(report: ScanReport): string {
  const findings = sortedFindings(report);
  const ruleIndex = new Map<string, number>();
  const rules: Record<string, unknown>[] = [];
  for (const f of findings) {
    if (ruleIndex.has(f.id)) continue;
    ruleIndex.set(f.id, rules.length);
    rules.push(rule(f));
  }
  const results = findings.map((f) => {
    const loc = primaryLocation(f);
    const uri = loc?.path ?? report.target.name;
    return {
      ruleId: f.id,
      ruleIndex: ruleIndex.get(f.id)!,
      level: LEVEL[f.severity],
      message: { text: findingSummary(f) },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri, ...(loc ? { uriBaseId: '%SRCROOT%' } : {}) },
            ...(loc?.line ? { region: { startLine: loc.line } } : {}),
          },
        },
      ],
      partialFingerprints: { 'bulwarkFinding/v1': digestOf(f.id, f.package.purl, uri) },
      ...(f.suppressed ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `${f.suppressed.reason} (${f.suppressed.by})` }] } : {}),
      properties: {
        purl: f.package.purl,
        installedVersion: f.package.version,
        fixedVersion: f.fixedVersion,
        fixState: f.fixState,
        aliases: f.aliases,
      },
    };
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'bulwark',
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: 'https://github.com/bulwark-scanner/bulwark',
            rules,
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: `the scanned ${report.target.kind}: ${report.target.name}` } } },
        invocations: [{ executionSuccessful: true, endTimeUtc: report.createdAt }],
        results,
        properties: { gate: { passed: report.gate.passed, reason: report.gate.reason } },
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}
