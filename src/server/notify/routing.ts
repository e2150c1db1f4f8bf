import type { Severity } from '../../core/severity.js';
import { isSeverity, severityRank } from '../../core/severity.js';
import type { FindingEvent, FindingEventKind } from './event.js';
import { FINDING_EVENT_KINDS } from './event.js';

/**
 * Routing: which events go to which channel. A rule names a channel and narrows what it gets (event kinds,
 * a minimum severity, projects, teams); an event goes to a channel when any of its rules matches. A channel
 * no rule names receives every event of every project. Rules come from the channel (server side, API/CLI)
 * and from security profiles (`notify:`).
 */
export interface NotifyRule {
  channel: string;
  events?: FindingEventKind[];
  minSeverity?: Severity;
  projects?: string[];
  /** Projects the rule does not apply to (a defaults profile's rules skip projects with a profile of their own). */
  exceptProjects?: string[];
  teams?: string[];
}

export function ruleMatches(rule: NotifyRule, e: FindingEvent): boolean {
  if (rule.events && !rule.events.includes(e.kind)) return false;
  // A fixed or suppressed finding is reported at the severity it had.
  if (rule.minSeverity && severityRank(e.finding.severity) < severityRank(rule.minSeverity)) return false;
  if (rule.projects && !rule.projects.includes(e.project.name)) return false;
  if (rule.exceptProjects?.includes(e.project.name)) return false;
  if (rule.teams && (e.project.team === null || !rule.teams.includes(e.project.team))) return false;
  return true;
}

/** Whether the event goes to the channel under these rules (all rules, of every channel). */
export function routes(channel: string, rules: NotifyRule[], e: FindingEvent): boolean {
  const mine = rules.filter((r) => r.channel === channel);
  return mine.length === 0 || mine.some((r) => ruleMatches(r, e));
}

/**
 * Rules from a profile's `notify:` list, already checked against schemas/profile.schema.json. Throws naming
 * the item for what the schema cannot say (none today; kept strict so a schema change cannot fail open).
 */
export function rulesFromProfile(notify: unknown[], where: string): NotifyRule[] {
  return notify.map((item, i) => {
    if (typeof item === 'string') return { channel: item };
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new Error(`${where}: notify[${i}] must be a channel name or a rule object`);
    const o = item as Record<string, unknown>;
    if (typeof o.channel !== 'string') {
      const [k, v] = Object.entries(o)[0] ?? [];
      if (Object.keys(o).length === 1 && typeof v === 'string' && k) return { channel: v };
      throw new Error(`${where}: notify[${i}] needs a "channel"`);
    }
    return parseRule(o, `${where}: notify[${i}]`);
  });
}

/** A rule object from JSON (profile or API), strictly. */
export function parseRule(o: Record<string, unknown>, where: string): NotifyRule {
  const known = new Set(['channel', 'events', 'minSeverity', 'projects', 'teams']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new Error(`${where}: unknown key ${JSON.stringify(k)}`);
  if (typeof o.channel !== 'string' || o.channel === '') throw new Error(`${where}: "channel" must be a channel name`);
  const rule: NotifyRule = { channel: o.channel };
  if (o.events !== undefined) {
    if (!Array.isArray(o.events) || o.events.length === 0 || !o.events.every((k): k is FindingEventKind => typeof k === 'string' && (FINDING_EVENT_KINDS as readonly string[]).includes(k))) {
      throw new Error(`${where}: "events" must list some of ${FINDING_EVENT_KINDS.join(', ')}`);
    }
    rule.events = o.events;
  }
  if (o.minSeverity !== undefined) {
    const s = typeof o.minSeverity === 'string' ? o.minSeverity.toUpperCase() : '';
    if (!isSeverity(s)) throw new Error(`${where}: "minSeverity" must be a severity (critical, high, medium, low, unknown)`);
    rule.minSeverity = s;
  }
  for (const k of ['projects', 'teams'] as const) {
    const v = o[k];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.length === 0 || !v.every((x): x is string => typeof x === 'string' && x !== '')) throw new Error(`${where}: "${k}" must be a non-empty list of names`);
    rule[k] = v;
  }
  return rule;
}
