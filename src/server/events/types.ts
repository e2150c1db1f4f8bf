import type { Severity } from '../../core/severity.js';

/** The event contract of WAVE3 (monitoring writes it; notifications and ticketing read it). */
export const FINDING_EVENT_KINDS = ['new', 'reopened', 'fixed', 'suppressed', 'severity-changed', 'fix-available', 'exception-expiring'] as const;

/** exception-expiring: a profile exception that suppresses this (current) finding expires soon (`suppression.expires`). */
export type FindingEventKind = (typeof FINDING_EVENT_KINDS)[number];

export interface FindingEvent {
  /** Monotonic event id as a decimal string. */
  cursor: string;
  kind: FindingEventKind;
  /** Stable hex sha256 of (project id, target, advisory id, ecosystem, package name, version). */
  fingerprint: string;
  occurredAt: string;
  project: { id: number; name: string; team: string | null };
  /** Branch / image digest / path: the scan's target name. */
  target: string;
  finding: {
    id: string;
    aliases: string[];
    severity: Severity;
    title: string | null;
    fixedVersion: string | null;
    package: { ecosystem: string; name: string; version: string; purl: string };
  };
  cause: { kind: 'scan' | 'db-refresh' | 'profile' | 'expiry'; id: string | null };
  suppression?: { reason: string; expires: string | null };
  previous?: { severity?: Severity; fixedVersion?: string | null };
}

export type EventCause = FindingEvent['cause'];

/** What a consumer reads the outbox through. */
export interface EventFeed {
  after(cursor: string | null, limit: number): Promise<FindingEvent[]>;
}
