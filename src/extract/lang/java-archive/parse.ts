/**
 * Java archives (.jar, .war, .ear, .par, Jenkins .hpi/.jpi) → records. Pure apart from inflating the
 * zip (yauzl), which is syntax: the Maven identity rules are ours.
 *
 * Identity, in order of confidence:
 *  1. every `META-INF/maven/<group>/<artifact>/pom.properties` (groupId, artifactId, version): the
 *     archive itself and, in shaded jars, what was shaded into it;
 *  2. without any: META-INF/MANIFEST.MF (a group from Implementation-Vendor-Id or the
 *     Bundle-SymbolicName prefix, the artifact from the file name or Implementation-Title, and
 *     Implementation-Version / Bundle-Version): low confidence;
 *  3. else the file name `artifact-1.2.3.jar`: no group, so not a Maven coordinate.
 * Nested archives (WEB-INF/lib, BOOT-INF/lib, ear modules, lib/) are read recursively, with a
 * depth cap and byte caps per nested archive and per file tree.
 *
 * Reads are positional (a RandomAccessFile): the central directory and the selected entries only. A stored nested
 * archive (Spring Boot's BOOT-INF/lib) is read in place as a window of its parent; a compressed one is inflated
 * into memory, up to maxNestedBytes.
 */
import { readZip, ZipReadError } from './zip.js';
import { FormatError } from '../../formats/error.js';
import type { RandomAccessFile } from '../../types.js';
import { bufferView, readAll } from '../../util/random-access.js';

export const ARCHIVE_EXTENSIONS = ['.jar', '.war', '.ear', '.par', '.hpi', '.jpi'];
export const LIMITS = {
  /** Nesting levels below the file itself (a jar in a war in an ear is depth 2). */
  maxDepth: 3,
  /** Largest nested archive we read (inflated into memory when compressed). */
  maxNestedBytes: 64 * 1024 * 1024,
  /** All nested archives of one file together. */
  maxTotalBytes: 256 * 1024 * 1024,
  /** pom.properties / MANIFEST.MF. */
  maxMetaBytes: 1024 * 1024,
};

export type Confidence = 'pom.properties' | 'manifest' | 'file-name';

export interface JavaArtifact {
  groupId?: string;
  artifactId: string;
  version: string;
  confidence: Confidence;
  /** Archive path inside the file, '' for the file itself, e.g. "WEB-INF/lib/a.jar" or "lib/x.war!/WEB-INF/lib/b.jar". */
  archive: string;
}

export interface ArchiveScan {
  artifacts: JavaArtifact[];
  problems: string[];
}

export function isArchiveName(name: string): boolean {
  const lower = name.toLowerCase();
  return ARCHIVE_EXTENSIONS.some((e) => lower.endsWith(e));
}

export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m?.[1] !== undefined) out.set(m[1], (m[2] ?? '').trim());
  }
  return out;
}

/** MANIFEST.MF main section (continuation lines start with one space). */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  let last: string | undefined;
  for (const line of lines) {
    if (line === '') break; // end of the main section
    if (line.startsWith(' ') && last !== undefined) {
      out.set(last, (out.get(last) ?? '') + line.slice(1));
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    last = line.slice(0, i).trim();
    out.set(last, line.slice(i + 1).trim());
  }
  return out;
}

/** "commons-lang3-3.12.0.jar" → { artifactId: "commons-lang3", version: "3.12.0" }. */
export function nameVersionFromFileName(fileName: string): { artifactId: string; version: string } | undefined {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1).replace(/\.[a-z]+$/i, '');
  const m = /^(.+?)-(\d[\w.+-]*)$/.exec(base);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  return { artifactId: m[1], version: m[2] };
}

interface Budget {
  used: number;
}

export async function scanArchive(file: RandomAccessFile, fileName: string): Promise<ArchiveScan> {
  const out: ArchiveScan = { artifacts: [], problems: [] };
  try {
    await scan(file, fileName, '', 0, { used: 0 }, out);
  } catch (e) {
    if (e instanceof ZipReadError) throw new FormatError(`not a readable zip archive: ${e.message}`);
    throw e;
  }
  return out;
}

async function scan(file: RandomAccessFile, fileName: string, prefix: string, depth: number, budget: Budget, out: ArchiveScan): Promise<void> {
  const isMeta = (n: string) => n === 'META-INF/MANIFEST.MF' || (n.startsWith('META-INF/maven/') && n.endsWith('/pom.properties'));
  const zip = await readZip(file, (e) => {
    if (isMeta(e.name)) return { cap: LIMITS.maxMetaBytes };
    if (!isArchiveName(e.name)) return undefined;
    const where = `${prefix}${e.name}`;
    if (depth + 1 > LIMITS.maxDepth) {
      out.problems.push(`skipped nested archive ${where}: deeper than ${LIMITS.maxDepth} levels`);
      return undefined;
    }
    if (e.uncompressedSize > LIMITS.maxNestedBytes) {
      out.problems.push(`skipped nested archive ${where}: ${e.uncompressedSize} bytes exceeds the ${LIMITS.maxNestedBytes}-byte cap`);
      return undefined;
    }
    if (budget.used + e.uncompressedSize > LIMITS.maxTotalBytes) {
      out.problems.push(`skipped nested archive ${where}: the ${LIMITS.maxTotalBytes}-byte budget for this file is spent`);
      return undefined;
    }
    budget.used += e.uncompressedSize;
    return { cap: LIMITS.maxNestedBytes, windowIfStored: true };
  });
  const text = async (f: RandomAccessFile): Promise<string> => bufferView(await readAll(f)).toString('utf8');
  for (const [name, reason] of zip.failed) out.problems.push(`${prefix}${name}: ${reason}`);

  const archive = prefix === '' ? '' : prefix.slice(0, -2); // drop trailing "!/"
  let found = false;
  for (const [name, entry] of zip.files) {
    if (!name.endsWith('/pom.properties')) continue;
    const props = parseProperties(await text(entry));
    const groupId = props.get('groupId');
    const artifactId = props.get('artifactId');
    const version = props.get('version');
    if (!groupId || !artifactId || !version) {
      out.problems.push(`${prefix}${name}: missing groupId, artifactId or version`);
      continue;
    }
    found = true;
    out.artifacts.push({ groupId, artifactId, version, confidence: 'pom.properties', archive });
  }
  if (!found) {
    const mf = zip.files.get('META-INF/MANIFEST.MF');
    const fromName = nameVersionFromFileName(fileName);
    const m = mf ? parseManifest(await text(mf)) : new Map<string, string>();
    const version = m.get('Implementation-Version') ?? m.get('Bundle-Version') ?? fromName?.version;
    const bsn = m.get('Bundle-SymbolicName')?.split(';')[0]?.trim();
    const artifactId = fromName?.artifactId ?? m.get('Implementation-Title') ?? bsn;
    const groupId = m.get('Implementation-Vendor-Id') ?? (bsn && bsn.includes('.') && artifactId && bsn.endsWith(`.${artifactId}`) ? bsn.slice(0, -artifactId.length - 1) : undefined);
    if (artifactId && version && (m.get('Implementation-Version') !== undefined || m.get('Bundle-Version') !== undefined)) {
      const a: JavaArtifact = { artifactId, version, confidence: 'manifest', archive };
      if (groupId) a.groupId = groupId;
      out.artifacts.push(a);
    } else if (fromName) {
      out.artifacts.push({ artifactId: fromName.artifactId, version: fromName.version, confidence: 'file-name', archive });
    }
  }

  for (const [name, entry] of zip.files) {
    if (!isArchiveName(name)) continue;
    try {
      await scan(entry, name, `${prefix}${name}!/`, depth + 1, budget, out);
    } catch (e) {
      if (!(e instanceof ZipReadError)) throw e;
      out.problems.push(`nested archive ${prefix}${name}: ${e.message}`);
    }
  }
}
