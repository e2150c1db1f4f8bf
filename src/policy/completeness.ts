import type { FileProblem, Unknown } from '../core/package.js';
import type { NotChecked, UndecidedReport } from '../core/report.js';

/**
 * Whether a scan judged everything it was given. A scan is incomplete when
 * - a file failed to read or parse, or an image layer (or an entry of it) could not be read (`report.errors`,
 *   except warnings: codes BULWARK_W_*);
 * - an ecosystem or distro release it found has no advisory data, or a feed it needed failed (`no-advisory-data`);
 * - a version could not be compared with an advisory's ranges (`unparseable-version`);
 * - OS packages were found but the distro could not be told (`os-not-covered`);
 * - a package was found but could not be identified well enough to match (`not-evaluable`, a jar without a groupId);
 * - an input entry is of a kind Bulwark does not check (`unsupported`: an SBOM component without a purl, …).
 *
 * `unresolved-version` unknowns do not make it incomplete: they name dependencies that are not registry releases
 * (a local path, a workspace link, a git reference, an unpinned requirement). No advisory names those by version;
 * the report lists them, the table shows them under "Not decided", and docs/gate.md says so.
 */
type IncompleteKind = Exclude<NotChecked['kind'], 'file'>;

export const INCOMPLETE_UNKNOWN_KINDS: readonly IncompleteKind[] = ['no-advisory-data', 'unparseable-version', 'os-not-covered', 'not-evaluable', 'unsupported'];

function isIncompleteKind(kind: Unknown['kind']): kind is IncompleteKind {
  return (INCOMPLETE_UNKNOWN_KINDS as readonly string[]).includes(kind);
}

export interface Completeness {
  complete: boolean;
  notChecked: NotChecked[];
}

/** Whether a report.errors entry is a warning (an expired exception, …) rather than a file that was not read. */
export function isWarning(e: FileProblem): boolean {
  return e.code.startsWith('BULWARK_W_');
}

const MAX_LINE = 160;

function oneLine(s: string, max = MAX_LINE): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function listed(items: string[], max = 3): string {
  const unique = [...new Set(items)];
  return unique.slice(0, max).join(', ') + (unique.length > max ? `, … (${unique.length - max} more)` : '');
}

function pkgLabel(u: Unknown): string {
  if (u.package) return `${u.package.name}${u.package.version ? ` ${u.package.version}` : ''}`;
  return oneLine(u.message, 60);
}

function fileSummary(errors: FileProblem[]): string {
  if (errors.length === 1) return oneLine(`${errors[0]!.path}: ${errors[0]!.message}`);
  return `${errors.length} files not read or parsed: ${listed(errors.map((e) => e.path))}`;
}

function unknownSummary(kind: IncompleteKind, list: Unknown[]): string {
  if (list.length === 1) return oneLine(list[0]!.message);
  switch (kind) {
    case 'no-advisory-data':
      return oneLine(`no advisory data for ${listed(list.map((u) => u.ecosystem ?? pkgLabel(u)), 6)}: their packages were not checked`);
    case 'unparseable-version':
      return `${list.length} package versions not compared with advisories: ${listed(list.map(pkgLabel))}`;
    case 'os-not-covered':
      return `${list.length} OS packages of an unidentified distro not checked: ${listed(list.map(pkgLabel))}`;
    case 'not-evaluable':
      return `${list.length} packages not identified well enough to match: ${listed(list.map(pkgLabel))}`;
    default:
      return `${list.length} entries of a kind Bulwark does not check: ${listed(list.map(pkgLabel))}`;
  }
}

/** What the report could not judge, grouped by kind (files first). */
export function assessCompleteness(report: Pick<UndecidedReport, 'errors' | 'unknowns'>): Completeness {
  const notChecked: NotChecked[] = [];
  const files = report.errors.filter((e) => !isWarning(e));
  if (files.length > 0) notChecked.push({ kind: 'file', count: files.length, summary: fileSummary(files) });
  const byKind = new Map<IncompleteKind, Unknown[]>();
  for (const u of report.unknowns) {
    if (!isIncompleteKind(u.kind)) continue;
    const list = byKind.get(u.kind);
    if (list) list.push(u);
    else byKind.set(u.kind, [u]);
  }
  for (const kind of INCOMPLETE_UNKNOWN_KINDS) {
    const list = byKind.get(kind);
    if (list) notChecked.push({ kind, count: list.length, summary: unknownSummary(kind, list) });
  }
  return { complete: notChecked.length === 0, notChecked };
}

const SHORT: Record<NotChecked['kind'], [string, string]> = {
  file: ['file not read or parsed', 'files not read or parsed'],
  'no-advisory-data': ['ecosystem or feed without advisory data', 'ecosystems or feeds without advisory data'],
  'unparseable-version': ['version not compared', 'versions not compared'],
  'os-not-covered': ['OS package of an unidentified distro', 'OS packages of an unidentified distro'],
  'not-evaluable': ['package not identified', 'packages not identified'],
  unsupported: ['unsupported entry', 'unsupported entries'],
};

/** "1 file not read or parsed, 2 ecosystems or feeds without advisory data": what the gate reason says. */
export function shortNotChecked(list: readonly NotChecked[]): string {
  return list.map((n) => `${n.count} ${SHORT[n.kind][n.count === 1 ? 0 : 1]}`).join(', ');
}
