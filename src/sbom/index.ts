import fs from 'node:fs';
import path from 'node:path';
import { FileError, ParseError } from '../core/errors.js';
import type { Package, Unknown } from '../core/package.js';
import type { OsReport } from '../core/report.js';
import { mergePackages } from '../scan/packages.js';
import type { Inventory } from '../scan/scanner.js';
import { targetName } from '../scan/scanner.js';
import { packageOfPurl } from '../core/purl.js';

/**
 * SBOMs made elsewhere as scan targets (`bulwark scan sbom:<file>`): CycloneDX JSON (components,
 * nested ones too) and SPDX 2.x JSON (packages with a purl external reference). Components with a
 * purl become packages; the others, and purls no advisory feed covers, are reported as unknowns.
 */
type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

interface SbomEntry {
  name: string;
  version?: string;
  purl?: string;
}

function cycloneDxEntries(doc: Json): { entries: SbomEntry[]; os: OsReport | null } {
  const entries: SbomEntry[] = [];
  let os: OsReport | null = null;
  const walk = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const c of list) {
      if (!isObj(c)) continue;
      const type = str(c.type);
      const name = str(c.name) ?? '(unnamed)';
      if (type === 'operating-system') {
        os ??= { family: name.toLowerCase(), version: str(c.version) ?? '', name: `${name} ${str(c.version) ?? ''}`.trim() };
      } else if (type !== 'file') {
        entries.push({ name, ...(str(c.version) ? { version: str(c.version) } : {}), ...(str(c.purl) ? { purl: str(c.purl) } : {}) });
      }
      walk(c.components);
    }
  };
  walk(doc.components);
  return { entries, os };
}

function spdxEntries(doc: Json): SbomEntry[] {
  const entries: SbomEntry[] = [];
  const described = new Set(Array.isArray(doc.documentDescribes) ? doc.documentDescribes : []);
  for (const p of Array.isArray(doc.packages) ? doc.packages : []) {
    if (!isObj(p)) continue;
    const refs = Array.isArray(p.externalRefs) ? p.externalRefs : [];
    const purl = refs.map((r) => (isObj(r) && str(r.referenceType) === 'purl' ? str(r.referenceLocator) : undefined)).find((x) => x !== undefined);
    // The package a document describes (the scanned thing itself) without a purl is not a dependency.
    if (!purl && described.has(p.SPDXID)) continue;
    entries.push({ name: str(p.name) ?? '(unnamed)', ...(str(p.versionInfo) ? { version: str(p.versionInfo) } : {}), ...(purl ? { purl } : {}) });
  }
  return entries;
}

/** Parses an SBOM's text into an inventory; `file` is used for locations and messages. */
export function inventoryOfSbomText(text: string, file: string): Inventory {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ParseError(file, `not a JSON SBOM: ${(e as Error).message}`, { hint: 'give a CycloneDX or SPDX JSON document' });
  }
  if (!isObj(doc)) throw new ParseError(file, 'an SBOM is a JSON object');
  const display = targetName(file);
  let entries: SbomEntry[];
  let os: OsReport | null = null;
  let format: string;
  if (doc.bomFormat === 'CycloneDX') {
    ({ entries, os } = cycloneDxEntries(doc));
    const meta = isObj(doc.metadata) && isObj(doc.metadata.component) ? doc.metadata.component : undefined;
    if (meta && str(meta.purl) && !entries.some((e) => e.purl === str(meta.purl))) {
      // metadata.component is the subject of the SBOM; it is scanned too when it has a purl.
      entries.push({ name: str(meta.name) ?? '(unnamed)', purl: str(meta.purl)! });
    }
    format = 'cyclonedx';
  } else if (typeof doc.spdxVersion === 'string') {
    entries = spdxEntries(doc);
    format = 'spdx';
  } else {
    throw new ParseError(file, 'neither CycloneDX (bomFormat) nor SPDX (spdxVersion) JSON', { hint: 'give a CycloneDX or SPDX JSON SBOM' });
  }
  const packages: Package[] = [];
  const unknowns: Unknown[] = [];
  for (const e of entries) {
    if (!e.purl) {
      unknowns.push({ kind: 'unsupported', message: `SBOM component ${e.name}${e.version ? ` ${e.version}` : ''} has no purl: not checked`, package: { name: e.name, ...(e.version ? { version: e.version } : {}) }, path: display });
      continue;
    }
    const p = packageOfPurl(e.purl);
    if (!p) {
      unknowns.push({ kind: 'unsupported', message: `SBOM component ${e.purl}: no version or a package type no advisory feed covers`, package: { name: e.name, purl: e.purl }, path: display });
      continue;
    }
    packages.push({
      ecosystem: p.ecosystem,
      name: p.name,
      version: p.version,
      purl: e.purl,
      locations: [{ path: display }],
      foundBy: `sbom/${format}`,
      ...(p.source ? { source: p.source } : {}),
      ...(p.epoch !== undefined ? { epoch: p.epoch } : {}),
      ...(p.arch ? { arch: p.arch } : {}),
    });
  }
  return { target: { kind: 'sbom', name: display }, os, packages: mergePackages(packages), unknowns, errors: [] };
}

/** Reads a CycloneDX or SPDX JSON SBOM into an inventory (the `sbom:<file>` target). */
export async function inventoryOfSbom(file: string): Promise<Inventory> {
  const full = path.resolve(file);
  let text: string;
  try {
    text = await fs.promises.readFile(full, 'utf8');
  } catch (e) {
    throw new FileError(full, `cannot read the SBOM: ${(e as Error).message}`, { hint: 'give sbom:<path to a CycloneDX or SPDX JSON file>' });
  }
  return inventoryOfSbomText(text, full);
}
