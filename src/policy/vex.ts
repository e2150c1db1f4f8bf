import fs from 'node:fs';
import { ParseError } from '../core/errors.js';
import type { SuppressionRule } from './suppress.js';

/**
 * VEX documents as suppression rules: OpenVEX (statements with status not_affected or fixed) and
 * CycloneDX VEX (vulnerabilities whose analysis state is not_affected, false_positive or resolved).
 * Each statement suppresses the vulnerability for the products it names (purls; a purl without a
 * version covers every version), with its justification / impact statement as the reason.
 */
type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function openVexRules(doc: Json, file: string): SuppressionRule[] {
  const rules: SuppressionRule[] = [];
  const statements = Array.isArray(doc.statements) ? doc.statements : [];
  for (const s of statements) {
    if (!isObj(s)) continue;
    const status = str(s.status);
    if (status !== 'not_affected' && status !== 'fixed') continue;
    const vuln = s.vulnerability;
    const ids = isObj(vuln) ? [str(vuln.name), ...(Array.isArray(vuln.aliases) ? vuln.aliases.map(str) : [])] : [str(vuln)];
    const reason =
      [str(s.justification), str(s.impact_statement), str(s.status_notes)].filter(Boolean).join(': ') || (status === 'fixed' ? 'fixed (VEX)' : 'not affected (VEX)');
    const products = Array.isArray(s.products) ? s.products : [];
    const purls: (string | undefined)[] = [];
    for (const p of products) {
      if (typeof p === 'string') purls.push(p);
      else if (isObj(p)) {
        const id = str(p['@id']);
        const ident = isObj(p.identifiers) ? str(p.identifiers.purl) : undefined;
        purls.push(ident ?? id);
        if (Array.isArray(p.subcomponents)) for (const sc of p.subcomponents) if (isObj(sc)) purls.push(str(isObj(sc.identifiers) ? sc.identifiers.purl : undefined) ?? str(sc['@id']));
      }
    }
    const named = purls.filter((p): p is string => p !== undefined && p.startsWith('pkg:'));
    for (const id of ids.filter((x): x is string => x !== undefined)) {
      if (named.length === 0) rules.push({ id, reason, by: `vex:${file}` });
      for (const purl of named) rules.push({ id, package: purl, reason, by: `vex:${file}` });
    }
  }
  return rules;
}

function cycloneDxVexRules(doc: Json, file: string): SuppressionRule[] {
  const refs = new Map<string, string>();
  const walk = (components: unknown): void => {
    if (!Array.isArray(components)) return;
    for (const c of components) {
      if (!isObj(c)) continue;
      const ref = str(c['bom-ref']);
      const purl = str(c.purl);
      if (ref && purl) refs.set(ref, purl);
      walk(c.components);
    }
  };
  walk(doc.components);
  const rules: SuppressionRule[] = [];
  for (const v of Array.isArray(doc.vulnerabilities) ? doc.vulnerabilities : []) {
    if (!isObj(v) || !isObj(v.analysis)) continue;
    const state = str(v.analysis.state);
    if (state !== 'not_affected' && state !== 'false_positive' && state !== 'resolved') continue;
    const id = str(v.id);
    if (!id) continue;
    const reason = [str(v.analysis.justification), str(v.analysis.detail)].filter(Boolean).join(': ') || `${state} (VEX)`;
    const affects = Array.isArray(v.affects) ? v.affects : [];
    const purls = affects
      .map((a) => (isObj(a) ? str(a.ref) : undefined))
      .map((r) => (r === undefined ? undefined : r.startsWith('pkg:') ? r : refs.get(r)))
      .filter((p): p is string => p !== undefined);
    if (purls.length === 0) rules.push({ id, reason, by: `vex:${file}` });
    for (const purl of purls) rules.push({ id, package: purl, reason, by: `vex:${file}` });
  }
  return rules;
}

export function parseVex(text: string, file: string): SuppressionRule[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ParseError(file, `not JSON: ${(e as Error).message}`);
  }
  if (!isObj(doc)) throw new ParseError(file, 'a VEX document is a JSON object');
  if (Array.isArray(doc.statements) || (typeof doc['@context'] === 'string' && doc['@context'].includes('openvex'))) return openVexRules(doc, file);
  if (doc.bomFormat === 'CycloneDX') return cycloneDxVexRules(doc, file);
  throw new ParseError(file, 'neither an OpenVEX document (statements) nor CycloneDX VEX (bomFormat "CycloneDX")', {
    hint: 'give an OpenVEX JSON or a CycloneDX JSON with vulnerabilities[].analysis',
  });
}

export function loadVex(file: string): SuppressionRule[] {
  return parseVex(fs.readFileSync(file, 'utf8'), file);
}
