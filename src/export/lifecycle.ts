import type { Severity } from '../core/severity.js';
import { isSeverity } from '../core/severity.js';
import { DEFAULT_INDEX_PREFIX, ECS_VERSION, dailyIndex, documentId, ecsSeverity, enumerationOf, purlTypeOf } from './ecs.js';
import type { EcsDocument } from './ecs.js';

/**
 * The server's monitoring as ECS documents (the server-side sink): each lifecycle event of the outbox
 * (`new`, `fixed`, `reopened`, `suppressed`, `severity-changed`, `fix-available`) as an event document, and
 * the current state of the finding it concerns as a state document. Event `_id`s are digests of the event
 * (so a re-send replaces it); a finding's state document has one `_id` for its whole life and lives in the
 * daily index of the day it was first seen, so each later change overwrites it in place.
 */
export interface ServerDocOptions {
  indexPrefix?: string;
  /** observer.version: the server's version. */
  version: string;
}

/** A lifecycle event as the server's outbox holds it (the shape of server/events/types.ts FindingEvent, which is exported through this). */
export interface LifecycleEvent {
  cursor: string;
  kind: string;
  fingerprint: string;
  occurredAt: string;
  project: { name: string; team: string | null };
  target: string;
  finding: {
    id: string;
    aliases: string[];
    severity: Severity;
    title: string | null;
    fixedVersion: string | null;
    package: { ecosystem: string; name: string; version: string; purl: string };
  };
  cause: { kind: string; id: string | null };
  suppression?: { reason: string; expires: string | null };
  previous?: { severity?: Severity; fixedVersion?: string | null };
}

/** A finding as the server's monitoring holds it now (monitor_findings with its project and target). */
export interface ServerFindingState {
  fingerprint: string;
  project: { name: string; team: string | null };
  target: string;
  state: 'open' | 'fixed' | 'suppressed';
  advisoryId: string;
  aliases: string[];
  severity: string;
  fixedVersion: string | null;
  title: string | null;
  package: { ecosystem: string; name: string; version: string; purl: string };
  suppression: { reason: string | null; by: string | null; expires: string | null } | null;
  firstSeenAt: string;
  lastSeenAt: string;
  changedAt: string;
  cause: { kind: string; id: string | null };
}

function labels(project: { name: string; team: string | null }): Record<string, unknown> {
  return { project: project.name, ...(project.team ? { team: project.team } : {}) };
}

function vulnerability(id: string, severity: Severity, ecosystem: string, title: string | null): Record<string, unknown> {
  return { id, enumeration: enumerationOf(id), severity: ecsSeverity(severity), category: [ecosystem], ...(title ? { description: title } : {}), scanner: { vendor: 'Bulwark' } };
}

function pkg(p: { name: string; version: string; purl: string }): Record<string, unknown> {
  const type = purlTypeOf(p.purl);
  return { name: p.name, version: p.version, ...(type ? { type } : {}) };
}

const sev = (s: string): Severity => (isSeverity(s) ? s : 'UNKNOWN');

/** One outbox event: `<prefix>-events-<day it occurred>`, `event.action` = `finding-<kind>`. */
export function lifecycleEventDocument(e: LifecycleEvent, opts: ServerDocOptions): EcsDocument {
  const prefix = opts.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  const id = documentId('server-event', e.project.name, e.target, e.fingerprint, e.kind, e.occurredAt, e.cursor);
  const f = e.finding;
  return {
    _index: dailyIndex(prefix, 'events', e.occurredAt),
    _id: id,
    doc: {
      '@timestamp': e.occurredAt,
      ecs: { version: ECS_VERSION },
      message: `${e.kind}: ${f.id} in ${f.package.name} ${f.package.version} (${e.project.name}, ${e.target}; ${e.cause.kind})`,
      labels: labels(e.project),
      event: { kind: 'event', category: ['vulnerability'], type: ['change'], dataset: 'bulwark.lifecycle', module: 'bulwark', action: `finding-${e.kind}`, created: e.occurredAt, id },
      observer: { vendor: 'Bulwark', product: 'bulwark-server', version: opts.version },
      vulnerability: vulnerability(f.id, f.severity, f.package.ecosystem, f.title),
      package: pkg(f.package),
      bulwark: {
        purl: f.package.purl,
        ecosystem: f.package.ecosystem,
        severity: f.severity,
        ...(f.fixedVersion ? { fixed_version: f.fixedVersion } : {}),
        ...(f.aliases.length > 0 ? { aliases: f.aliases } : {}),
        suppressed: e.suppression !== undefined,
        ...(e.suppression ? { suppression_reason: e.suppression.reason, ...(e.suppression.expires ? { suppression_expires: e.suppression.expires } : {}) } : {}),
        target: { name: e.target },
        fingerprint: e.fingerprint,
        lifecycle: {
          kind: e.kind,
          cursor: e.cursor,
          cause: { kind: e.cause.kind, ...(e.cause.id !== null ? { id: e.cause.id } : {}) },
          ...(e.previous?.severity ? { previous_severity: e.previous.severity } : {}),
          ...(e.previous && 'fixedVersion' in e.previous ? { previous_fixed_version: e.previous.fixedVersion ?? '' } : {}),
        },
      },
    },
  };
}

/** The finding's current state: `<prefix>-findings-<day first seen>`, one `_id` per finding (its fingerprint). */
export function findingStateDocument(f: ServerFindingState, opts: ServerDocOptions): EcsDocument {
  const prefix = opts.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  const id = documentId('server-finding', f.fingerprint);
  const severity = sev(f.severity);
  return {
    _index: dailyIndex(prefix, 'findings', f.firstSeenAt),
    _id: id,
    doc: {
      '@timestamp': f.changedAt,
      ecs: { version: ECS_VERSION },
      message: `${f.advisoryId} in ${f.package.name} ${f.package.version}: ${f.state} (${f.project.name}, ${f.target})`,
      labels: labels(f.project),
      event: { kind: 'state', category: ['vulnerability'], type: ['info'], dataset: 'bulwark.server_finding', module: 'bulwark', created: f.changedAt, id },
      observer: { vendor: 'Bulwark', product: 'bulwark-server', version: opts.version },
      vulnerability: vulnerability(f.advisoryId, severity, f.package.ecosystem, f.title),
      package: pkg(f.package),
      bulwark: {
        purl: f.package.purl,
        ecosystem: f.package.ecosystem,
        severity,
        fix_state: f.fixedVersion ? 'fixed' : 'not-fixed',
        ...(f.fixedVersion ? { fixed_version: f.fixedVersion } : {}),
        ...(f.aliases.length > 0 ? { aliases: f.aliases } : {}),
        suppressed: f.state === 'suppressed',
        ...(f.state === 'suppressed' && f.suppression?.by ? { suppressed_by: f.suppression.by } : {}),
        ...(f.state === 'suppressed' && f.suppression?.reason ? { suppression_reason: f.suppression.reason } : {}),
        ...(f.state === 'suppressed' && f.suppression?.expires ? { suppression_expires: f.suppression.expires } : {}),
        target: { name: f.target },
        fingerprint: f.fingerprint,
        state: f.state,
        first_seen: f.firstSeenAt,
        last_seen: f.lastSeenAt,
        lifecycle: { cause: { kind: f.cause.kind, ...(f.cause.id !== null ? { id: f.cause.id } : {}) } },
      },
    },
  };
}
