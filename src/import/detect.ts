import type { Decoded } from './decode.js';
import { isObj, str } from './json.js';
import { isCycloneDx } from './formats/cyclonedx.js';
import { isDependencyCheckJson, isDependencyCheckXml } from './formats/dependency-check.js';
import { isGitlab } from './formats/gitlab.js';
import { isGovulncheckLegacy, isGovulncheckStream } from './formats/govulncheck.js';
import { isGrype } from './formats/grype.js';
import { isNpmAudit } from './formats/npm-audit.js';
import { isOsvScanner } from './formats/osv-scanner.js';
import { isTrivy } from './formats/trivy.js';
import { isTrivyOperator } from './formats/trivy-operator.js';
import type { ImportFormat } from './types.js';

/** Whether decoded content has the shape of a format; the detectors look at structure, never at file names. */
export function looksLike(format: ImportFormat, d: Decoded): boolean {
  if (d.kind === 'xml') return format === 'dependency-check-xml' && isDependencyCheckXml(d.text);
  if (d.kind === 'json-stream') return format === 'govulncheck' && isGovulncheckStream(d.values);
  const v = d.value;
  switch (format) {
    case 'cyclonedx':
      return isCycloneDx(v);
    case 'npm-audit':
      return isNpmAudit(v);
    case 'grype':
      return isGrype(v);
    case 'osv-scanner':
      return isOsvScanner(v);
    case 'gitlab':
      return isGitlab(v);
    case 'trivy':
      return isTrivy(v);
    case 'trivy-operator':
      return isTrivyOperator(v);
    case 'govulncheck':
      return isGovulncheckLegacy(v) || (Array.isArray(v) && isGovulncheckStream(v)) || (isObj(v) && isObj(v.config) && str(v.config.protocol_version) !== undefined);
    case 'dependency-check-json':
      return isDependencyCheckJson(v);
    case 'dependency-check-xml':
      return false;
  }
}

/** Checked in this order: the most specific markers first (bomFormat, auditReportVersion), Trivy's loose legacy array late. */
const ORDER: readonly ImportFormat[] = ['cyclonedx', 'npm-audit', 'grype', 'osv-scanner', 'gitlab', 'govulncheck', 'trivy-operator', 'dependency-check-json', 'trivy', 'dependency-check-xml'];

/** Why content is not an importable report, when a well-known other format can be named. */
export function knownNonReport(d: Decoded): string | undefined {
  if (d.kind === 'xml') {
    const head = d.text.slice(0, 4096);
    if (/<testsuites?[\s>]/.test(head)) return 'a JUnit XML file, not a vulnerability report';
    if (/<(?:\w+:)?project[\s>]/.test(head) && /maven/i.test(head)) return 'a Maven POM, not a vulnerability report';
    return undefined;
  }
  if (d.kind !== 'json') return undefined;
  const v = d.value;
  if (isObj(v) && (str(v.$schema)?.includes('sarif') || (str(v.version) === '2.1.0' && Array.isArray(v.runs)))) return 'a SARIF log; SARIF is an output format of Bulwark, not one it imports (use the scanner\'s JSON output)';
  const scanType = isObj(v) && isObj(v.scan) ? str(v.scan.type) : undefined;
  if (scanType && scanType !== 'dependency_scanning' && scanType !== 'container_scanning' && isObj(v) && Array.isArray(v.vulnerabilities)) {
    return `a GitLab ${scanType} report; Bulwark imports GitLab dependency-scanning and container-scanning reports only`;
  }
  if (isObj(v) && str(v.spdxVersion)) return 'an SPDX SBOM, which holds no vulnerabilities (scan it with `bulwark scan sbom:<file>`)';
  if (Array.isArray(v) && v.length === 0) return 'an empty JSON array';
  if (isObj(v) && Object.keys(v).length === 0) return 'an empty JSON object';
  return undefined;
}

export function detectFormat(d: Decoded): ImportFormat | undefined {
  if (knownNonReport(d)) return undefined;
  return ORDER.find((f) => looksLike(f, d));
}
