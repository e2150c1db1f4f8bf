import type { ChannelRow } from '../store/notify.js';
import type { ChannelConfig, ChannelType } from './channels/types.js';
import { CHANNEL_TYPES, parseChannelConfig } from './channels/types.js';
import type { NotifyRule } from './routing.js';
import { parseRule } from './routing.js';
import type { SecretBox } from '../secret-box.js';

export function isChannelType(t: string): t is ChannelType {
  return (CHANNEL_TYPES as readonly string[]).includes(t);
}

/** A stored channel, opened: options parsed, secrets unsealed (in memory only), rules parsed. */
export function channelFromRow(row: ChannelRow, box: SecretBox): { config: ChannelConfig; rules: NotifyRule[] } {
  if (!isChannelType(row.type)) throw new Error(`channel ${row.name}: unknown type ${row.type}`);
  const secrets: unknown = JSON.parse(box.open(row.secrets, row.name));
  const config = parseChannelConfig(row.name, row.type, JSON.parse(row.options), secrets);
  return { config, rules: rulesOfRow(row) };
}

export function rulesOfRow(row: Pick<ChannelRow, 'name' | 'rules'>): NotifyRule[] {
  const raw: unknown = JSON.parse(row.rules);
  if (!Array.isArray(raw)) throw new Error(`channel ${row.name}: stored rules are not a list`);
  return raw.map((r: unknown, i) => parseRule({ ...(r as Record<string, unknown>), channel: row.name }, `channel ${row.name} rule ${i}`));
}

/** What routing and grouping need of a channel: no secret, so a channel whose secrets cannot be read still gets its deliveries queued (and dead-lettered, saying why). */
export interface PlanChannel {
  id: number;
  name: string;
  /** none: a channel events are not routed to (github, gitlab answering merge requests only). */
  kind: 'message' | 'ticket' | 'none';
  grouping: 'package' | 'advisory';
  recipients: (string | null)[];
  /** The channel's own messages per minute (options.rateLimitPerMinute), else the notifier's. */
  rateLimitPerMinute?: number;
}

export function planChannelOf(row: ChannelRow): PlanChannel {
  const o = JSON.parse(row.options) as { grouping?: unknown; to?: unknown; issues?: unknown; rateLimitPerMinute?: unknown };
  const ticket = (row.type === 'gitlab' && o.issues !== false) || row.type === 'jira';
  const none = row.type === 'github' || (row.type === 'gitlab' && o.issues === false);
  return {
    id: row.id,
    name: row.name,
    kind: none ? 'none' : ticket ? 'ticket' : 'message',
    grouping: o.grouping === 'advisory' ? 'advisory' : 'package',
    recipients: row.type === 'email' && Array.isArray(o.to) ? o.to.filter((x): x is string => typeof x === 'string') : [null],
    ...(typeof o.rateLimitPerMinute === 'number' && Number.isInteger(o.rateLimitPerMinute) && o.rateLimitPerMinute > 0 ? { rateLimitPerMinute: o.rateLimitPerMinute } : {}),
  };
}
