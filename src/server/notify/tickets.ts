import crypto from 'node:crypto';
import semver from 'semver';
import type { Severity } from '../../core/severity.js';
import { severityRank } from '../../core/severity.js';
import type { FindingEvent } from './event.js';

/**
 * Tickets (GitLab issues, Jira issues): one per (project, package) by default, or one per (project, advisory).
 * The notifier keeps each ticket's findings here, applies events to them, and the channel brings the remote
 * ticket in line with the result: created when a finding opens, updated when its findings change, commented
 * and closed when all are fixed, closed as "accepted risk" when all that remain are suppressed, reopened on
 * regression. The ticket carries a label `bulwark-<key>` so it is found again instead of duplicated.
 */
export interface TicketFinding {
  fingerprint: string;
  id: string;
  severity: Severity;
  title: string | null;
  version: string;
  fixedVersion: string | null;
  state: 'open' | 'fixed' | 'suppressed';
  suppression: { reason: string; expires: string | null } | null;
}

export interface TicketState {
  key: string;
  grouping: 'package' | 'advisory';
  project: { id: number; name: string; team: string | null };
  ecosystem: string;
  packageName: string;
  advisory: string | null;
  findings: Record<string, TicketFinding>;
}

export function ticketKey(e: FindingEvent, grouping: 'package' | 'advisory'): string {
  const p = e.finding.package;
  const what = grouping === 'package' ? `${p.ecosystem}\n${p.name}` : `${e.finding.id}`;
  return crypto.createHash('sha256').update(`${e.project.id}\n${grouping}\n${what}`).digest('hex').slice(0, 24);
}

export function ticketLabel(key: string): string {
  return `bulwark-${key}`;
}

/** Applies events (oldest first) to a ticket's findings; re-applying the same events gives the same state. */
export function applyEvents(state: TicketState | undefined, grouping: 'package' | 'advisory', events: FindingEvent[]): TicketState {
  const first = events[0];
  if (!state && !first) throw new Error('a ticket needs an event or a state');
  const s: TicketState = state
    ? { ...state, findings: { ...state.findings } }
    : {
        key: ticketKey(first as FindingEvent, grouping),
        grouping,
        project: (first as FindingEvent).project,
        ecosystem: (first as FindingEvent).finding.package.ecosystem,
        packageName: (first as FindingEvent).finding.package.name,
        advisory: grouping === 'advisory' ? (first as FindingEvent).finding.id : null,
        findings: {},
      };
  for (const e of events) {
    const prev = s.findings[e.fingerprint];
    // An expiring exception changes nothing yet: the finding stays suppressed until the exception has expired.
    const state: TicketFinding['state'] =
      e.kind === 'fixed' ? 'fixed' : e.kind === 'suppressed' ? 'suppressed' : e.kind === 'new' || e.kind === 'reopened' ? 'open' : e.kind === 'exception-expiring' ? (prev?.state ?? 'suppressed') : (prev?.state ?? 'open');
    s.findings[e.fingerprint] = {
      fingerprint: e.fingerprint,
      id: e.finding.id,
      severity: e.finding.severity,
      title: e.finding.title,
      version: e.finding.package.version,
      fixedVersion: e.finding.fixedVersion,
      state,
      suppression: e.kind === 'suppressed' ? (e.suppression ?? { reason: '(no reason given)', expires: null }) : e.kind === 'exception-expiring' ? (e.suppression ?? prev?.suppression ?? null) : null,
    };
  }
  return s;
}

export interface TicketView {
  /** open: some finding is open; fixed: none open and at least one fixed; accepted-risk: all remaining are suppressed. */
  status: 'open' | 'fixed' | 'accepted-risk';
  title: string;
  /** Markdown. */
  body: string;
  open: TicketFinding[];
}

function bestFix(versions: string[]): string | null {
  const uniq = [...new Set(versions)];
  if (uniq.length === 0) return null;
  if (uniq.every((v) => semver.valid(v, { loose: true }))) return uniq.sort((a, b) => semver.compare(a, b, { loose: true })).at(-1) ?? null;
  return uniq.sort().at(-1) ?? null;
}

function advisories(n: number): string {
  return `${n} ${n === 1 ? 'advisory' : 'advisories'}`;
}

export function viewOf(s: TicketState, dashboardUrl: string | null): TicketView {
  const all = Object.values(s.findings).sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.id.localeCompare(b.id));
  const open = all.filter((f) => f.state === 'open');
  const suppressed = all.filter((f) => f.state === 'suppressed');
  const status: TicketView['status'] = open.length > 0 ? 'open' : suppressed.length > 0 ? 'accepted-risk' : 'fixed';
  const shown = open.length > 0 ? open : all;
  const versions = [...new Set(shown.map((f) => f.version))].sort();
  const fix = bestFix(shown.map((f) => f.fixedVersion).filter((v): v is string => v !== null));
  const prefix = `[${s.project.name}]`;
  let title: string;
  if (s.grouping === 'advisory') {
    title = `${prefix} ${s.advisory ?? '?'} in ${s.packageName} ${versions.join(', ')}${fix ? ` (fixed in ${fix})` : ''}`;
  } else if (fix) {
    title = `${prefix} upgrade ${s.packageName} from ${versions.join(', ')} to ${fix} fixes ${advisories(shown.length)}`;
  } else {
    title = `${prefix} ${s.packageName} ${versions.join(', ')} has ${advisories(shown.length)} without a fix`;
  }
  const lines = [
    `Bulwark found these vulnerabilities in **${s.packageName}** (${s.ecosystem}) of project **${s.project.name}**.`,
    '',
    '| Severity | Advisory | Installed | Fixed in | State |',
    '|---|---|---|---|---|',
    ...all.map((f) => `| ${f.severity} | ${f.id} | ${f.version} | ${f.fixedVersion ?? '—'} | ${f.state === 'suppressed' && f.suppression ? `accepted risk: ${f.suppression.reason}${f.suppression.expires ? ` (until ${f.suppression.expires})` : ''}` : f.state} |`),
    '',
  ];
  if (dashboardUrl) lines.push(`Dashboard: ${dashboardUrl.replace(/\/+$/, '')}/#/projects/${encodeURIComponent(s.project.name)}`, '');
  lines.push(`<!-- bulwark:${s.key} — managed by Bulwark: edits to this description are replaced on the next change -->`);
  return { status, title: title.slice(0, 250), body: lines.join('\n'), open };
}

/** The comment posted when the ticket changes state. */
export function transitionComment(view: TicketView, s: TicketState): string {
  if (view.status === 'open') return `Reopened by Bulwark: ${view.open.map((f) => `${f.id} (${f.severity}) in ${f.version}`).join(', ')} found again.`;
  if (view.status === 'fixed') return `Fixed: no finding of ${s.packageName}${s.advisory ? ` for ${s.advisory}` : ''} is open any more in ${s.project.name}. Closed by Bulwark.`;
  const sup = Object.values(s.findings).filter((f) => f.state === 'suppressed');
  return `Closed as accepted risk by a Bulwark exception: ${sup.map((f) => `${f.id}: ${f.suppression?.reason ?? '(no reason)'}${f.suppression?.expires ? ` (expires ${f.suppression.expires})` : ''}`).join('; ')}.`;
}

/** What a ticket system must do; GitLab and Jira implement it over their REST APIs. */
export interface TicketBackend {
  find(label: string): Promise<{ ref: string; open: boolean; title: string; body: string } | null>;
  create(label: string, view: TicketView): Promise<string>;
  update(ref: string, view: TicketView): Promise<void>;
  comment(ref: string, text: string): Promise<void>;
  setOpen(ref: string, open: boolean): Promise<void>;
}

/** Brings the remote ticket in line with the state: idempotent, so a retried or repeated sync changes nothing more. */
export async function syncTicket(backend: TicketBackend, s: TicketState, dashboardUrl: string | null): Promise<'created' | 'updated' | 'closed' | 'reopened' | 'unchanged' | 'none'> {
  const view = viewOf(s, dashboardUrl);
  const label = ticketLabel(s.key);
  const found = await backend.find(label);
  if (!found) {
    if (view.status !== 'open') return 'none';
    await backend.create(label, view);
    return 'created';
  }
  const changed = found.title !== view.title || found.body !== view.body;
  if (changed) await backend.update(found.ref, view);
  const wantOpen = view.status === 'open';
  if (found.open !== wantOpen) {
    await backend.comment(found.ref, transitionComment(view, s));
    await backend.setOpen(found.ref, wantOpen);
    return wantOpen ? 'reopened' : 'closed';
  }
  return changed ? 'updated' : 'unchanged';
}
