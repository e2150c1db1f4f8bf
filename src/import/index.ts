import { ParseError } from '../core/errors.js';
import type { ParseContext } from './context.js';
import type { Decoded } from './decode.js';
import { decodeReport, decodeText } from './decode.js';
import { detectFormat, knownNonReport, looksLike } from './detect.js';
import { parseCycloneDx } from './formats/cyclonedx.js';
import { parseDependencyCheck, readDependencyCheckXml } from './formats/dependency-check.js';
import { parseGitlab } from './formats/gitlab.js';
import { parseGovulncheck } from './formats/govulncheck.js';
import { parseGrype } from './formats/grype.js';
import { parseNpmAudit } from './formats/npm-audit.js';
import { parseOsvScanner } from './formats/osv-scanner.js';
import { parseTrivy } from './formats/trivy.js';
import { parseTrivyOperator } from './formats/trivy-operator.js';
import { isObj } from './json.js';
import type { ImportedReport, ImportFormat, ImportOptions } from './types.js';
import { IMPORT_FORMATS } from './types.js';

export type { ImportedReport, ImportFormat, ImportOptions, ImportedFrom } from './types.js';
export { IMPORT_FORMATS, isImportFormat } from './types.js';

function parse(format: ImportFormat, d: Decoded, ctx: ParseContext): ImportedReport {
  const value = d.kind === 'json' ? d.value : d.kind === 'json-stream' ? d.values : undefined;
  switch (format) {
    case 'trivy':
      return parseTrivy(value, ctx);
    case 'trivy-operator':
      return parseTrivyOperator(value, ctx);
    case 'grype':
      return parseGrype(value, ctx);
    case 'osv-scanner':
      return parseOsvScanner(value, ctx);
    case 'gitlab':
      return parseGitlab(value, ctx);
    case 'govulncheck':
      return parseGovulncheck(value, ctx);
    case 'npm-audit':
      return parseNpmAudit(value, ctx);
    case 'cyclonedx':
      return parseCycloneDx(value, ctx);
    case 'dependency-check-json':
      if (!isObj(value)) throw new ParseError(ctx.file, 'not a Dependency-Check JSON report');
      return parseDependencyCheck(value, ctx);
    case 'dependency-check-xml':
      if (d.kind !== 'xml') throw new ParseError(ctx.file, 'not a Dependency-Check XML report: the content is not XML');
      return parseDependencyCheck(readDependencyCheckXml(d.text, ctx.file), ctx);
  }
}

/**
 * Another scanner's report (bytes as uploaded or read from disk) as a Bulwark report. The format is
 * detected from the content unless `format` forces one. Throws ParseError, naming the file and the
 * problem, for anything that is not a report of a supported format: empty files, invalid JSON/XML, SARIF,
 * SBOMs without vulnerabilities, JSON of an unknown shape. Entries of a report that cannot become findings
 * (no vulnerability id, no package name) are listed in the report's `errors`, not dropped silently.
 *
 * This is the one entry point for the CLI (`bulwark convert`) and the server (`POST /api/v1/reports`).
 */
export function importReport(bytes: Uint8Array, opts: ImportOptions = {}): ImportedReport {
  const file = opts.filename ?? '<report>';
  if (opts.format === 'osv-scanner' && decodeText(bytes, file).trim().length === 0) {
    // osv-scanner writes nothing at all when it scanned nothing; only when the format is named is that a report.
    return parseOsvScanner({ results: [] }, { file, now: opts.now ?? new Date(), format: 'osv-scanner' });
  }
  const decoded = decodeReport(bytes, file);
  let format = opts.format;
  if (format) {
    if (!looksLike(format, decoded)) {
      const why = knownNonReport(decoded);
      throw new ParseError(file, `not a ${format} report${why ? `: it is ${why}` : ': its content does not have the structure of one'}`, { hint: `detected: ${detectFormat(decoded) ?? 'no supported format'}` });
    }
  } else {
    format = detectFormat(decoded);
    if (!format) {
      const why = knownNonReport(decoded);
      throw new ParseError(file, `not a report Bulwark can import: ${why ?? `the ${decoded.kind === 'xml' ? 'XML' : 'JSON'} has the shape of none of the supported formats`}`, {
        hint: `supported: ${IMPORT_FORMATS.join(', ')}`,
      });
    }
  }
  return parse(format, decoded, { file, now: opts.now ?? new Date(), format });
}
