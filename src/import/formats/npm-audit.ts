import { ParseError } from '../../core/errors.js';
import { ReportBuilder } from '../builder.js';
import type { ParseContext } from '../context.js';
import { isObj, num, obj, str, strs } from '../json.js';
import { severityOf } from '../severity.js';
import type { ImportedReport } from '../types.js';

/**
 * `npm audit --json` from npm 7 on (auditReportVersion 2): vulnerabilities{name: {severity, via, range,
 * nodes, fixAvailable}}. An object in `via` is an advisory on that package; a string in `via` only says the
 * package depends on a vulnerable one, and is not a finding of its own. npm audit does not give installed
 * versions: the packages are imported without one (an unknown says so) and cannot be matched again.
 */
export function isNpmAudit(doc: unknown): boolean {
  return isObj(doc) && num(doc.auditReportVersion) !== undefined && isObj(doc.vulnerabilities);
}

/** "<2.6.9", ">=4.0.0 <4.3.1" → the fix an exclusive upper bound names; nothing for "<=", "||" or open ranges. */
function fixOfRange(range: string | undefined): string[] {
  const m = range && !range.includes('||') ? /(?:^|\s)<\s*(\d[\w.+-]*)$/.exec(range.trim()) : null;
  return m ? [m[1]!] : [];
}

export function parseNpmAudit(doc: unknown, ctx: ParseContext): ImportedReport {
  if (!isObj(doc)) throw new ParseError(ctx.file, 'not an npm audit report');
  const version = num(doc.auditReportVersion);
  if (version !== 2) throw new ParseError(ctx.file, `npm audit report version ${version} is not supported (only version 2, from npm 7 on)`);
  const b = new ReportBuilder(ctx.file, { format: 'npm-audit', scanner: 'npm-audit' });
  for (const [key, entry] of Object.entries(obj(doc.vulnerabilities))) {
    if (!isObj(entry)) {
      b.skip('IMPORT_ENTRY_INVALID', `vulnerabilities.${key} is not an object`);
      continue;
    }
    const locations = strs(entry.nodes).map((path) => ({ path }));
    for (const via of Array.isArray(entry.via) ? entry.via : []) {
      if (!isObj(via)) continue;
      const url = str(via.url);
      const ghsa = url ? /GHSA(-[23456789cfghjmpqrvwx]{4}){3}/.exec(url)?.[0] : undefined;
      const source = str(via.source);
      const id = ghsa ?? (source ? `NPM-${source}` : undefined);
      const name = str(via.name) ?? str(entry.name) ?? key;
      if (!id) {
        b.skip('IMPORT_ENTRY_INCOMPLETE', `vulnerabilities.${key}: an advisory without url or source id; not imported`);
        continue;
      }
      const cvss = obj(via.cvss);
      const score = num(cvss.score);
      const vector = str(cvss.vectorString);
      const fix = entry.fixAvailable;
      const fixes = fixOfRange(str(via.range));
      b.addVuln({
        id,
        aliases: source && ghsa ? [`NPM-${source}`] : [],
        package: { name, version: '', kind: 'npm' },
        severity: severityOf(str(via.severity), score),
        severityVendor: 'ghsa',
        ...(score !== undefined && score > 0 && vector ? { cvss: { score, vector } } : {}),
        fixedVersions: fixes,
        fixState: fixes.length > 0 || fix === true || isObj(fix) ? 'fixed' : 'not-fixed',
        ...(str(via.title) ? { title: str(via.title)! } : {}),
        references: url ? [url] : [],
        why: `npm audit: ${name} ${str(via.range) ?? str(entry.range) ?? ''}`.trim() + (isObj(fix) ? ` (fix: ${str(fix.name) ?? '?'}@${str(fix.version) ?? '?'}${fix.isSemVerMajor === true ? ', a major upgrade' : ''})` : ''),
        locations: name === key ? locations : [],
      });
    }
  }
  return b.build({ kind: 'directory', name: ctx.file }, { now: ctx.now, file: ctx.file });
}
