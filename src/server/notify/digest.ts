import { severityRank } from '../../core/severity.js';
import type { Severity } from '../../core/severity.js';
import type { FindingEvent, FindingEventKind } from './event.js';

/**
 * A digest: the events of one dispatch window for one channel and one project, rendered as one message.
 * Past `floodThreshold` events it is a summary (counts, the worst few), never one line per finding.
 */
export interface Digest {
  channel: string;
  project: { id: number; name: string; team: string | null };
  events: FindingEvent[];
  /** True when the events are too many to list: the message shows counts and the worst `listed` ones. */
  summary: boolean;
  /** The dashboard's base URL for links, when configured. */
  dashboardUrl: string | null;
}

export const DEFAULT_FLOOD_THRESHOLD = 25;
export const SUMMARY_LISTED = 10;

export function byWorst(a: FindingEvent, b: FindingEvent): number {
  return severityRank(b.finding.severity) - severityRank(a.finding.severity) || a.finding.package.name.localeCompare(b.finding.package.name) || a.finding.id.localeCompare(b.finding.id);
}

export function countBy<K extends string>(events: FindingEvent[], key: (e: FindingEvent) => K): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const e of events) {
    const k = key(e);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

export const KIND_LABEL: Record<FindingEventKind, string> = {
  new: 'new',
  reopened: 'reopened',
  fixed: 'fixed',
  suppressed: 'suppressed',
  'severity-changed': 'severity changed',
  'fix-available': 'fix available',
  'exception-expiring': 'exception expiring',
};

/** One line per event: "HIGH CVE-2021-23337 lodash 4.17.4 → 4.17.21 (new)". */
export function eventLine(e: FindingEvent): string {
  const p = e.finding.package;
  const fix = e.finding.fixedVersion ? ` → ${e.finding.fixedVersion}` : '';
  const sup = (e.kind === 'suppressed' || e.kind === 'exception-expiring') && e.suppression ? ` — accepted: ${e.suppression.reason}${e.suppression.expires ? ` (until ${e.suppression.expires})` : ''}` : '';
  return `${e.finding.severity} ${e.finding.id} ${p.name} ${p.version}${fix} (${KIND_LABEL[e.kind]})${sup}`;
}

/** "3 new, 1 fixed" in a fixed order. */
export function kindCounts(events: FindingEvent[]): string {
  const c = countBy(events, (e) => e.kind);
  return (Object.keys(KIND_LABEL) as FindingEventKind[])
    .filter((k) => c[k])
    .map((k) => `${c[k]} ${KIND_LABEL[k]}`)
    .join(', ');
}

export function severityCounts(events: FindingEvent[]): Partial<Record<Severity, number>> {
  return countBy(events, (e) => e.finding.severity);
}

export function digestTitle(d: Digest): string {
  return `Bulwark: ${kindCounts(d.events)} in ${d.project.name}`;
}

export function projectLink(d: Digest): string | null {
  return d.dashboardUrl ? `${d.dashboardUrl.replace(/\/+$/, '')}/#/projects/${encodeURIComponent(d.project.name)}` : null;
}

/** The events a digest lists: all of them, or the worst SUMMARY_LISTED of a summary. */
export function listed(d: Digest): FindingEvent[] {
  const sorted = [...d.events].sort(byWorst);
  return d.summary ? sorted.slice(0, SUMMARY_LISTED) : sorted;
}
