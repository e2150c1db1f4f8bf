import type { Store } from '../store/store.js';
import type { ChannelRow } from '../store/notify.js';
import { openChannel } from './channels/index.js';
import type { ChannelType } from './channels/types.js';
import { ChannelConfigError, parseChannelConfig } from './channels/types.js';
import { channelFromRow, rulesOfRow } from './config.js';
import type { Digest } from './digest.js';
import type { FindingEvent } from './event.js';
import { parseRule } from './routing.js';
import type { SecretBox } from '../secret-box.js';
import { ticketLabel } from './tickets.js';
import { gitlabBackend } from './channels/gitlab.js';
import { jiraBackend } from './channels/jira.js';
import { checkForge, forgeOf } from './mr-note.js';

export interface ChannelInput {
  name: string;
  type: ChannelType;
  options: Record<string, unknown>;
  secrets: Record<string, unknown>;
  rules: Record<string, unknown>[];
}

/** A channel as the API shows it: never its secrets, only which ones are set. */
export interface ChannelView {
  name: string;
  type: string;
  options: Record<string, unknown>;
  secretsSet: string[];
  rules: Record<string, unknown>[];
  createdAt: string;
  updatedAt: string;
}

/** Validates and seals a new channel's configuration; throws ChannelConfigError listing every problem. */
export function sealChannel(input: ChannelInput, box: SecretBox): { options: string; secrets: string; rules: string } {
  const config = parseChannelConfig(input.name, input.type, input.options, input.secrets);
  const rules = input.rules.map((r, i) => {
    try {
      const { channel: _ignored, ...rest } = parseRule({ ...r, channel: input.name }, `rule ${i}`);
      return rest;
    } catch (e) {
      throw new ChannelConfigError(input.name, [e instanceof Error ? e.message : String(e)]);
    }
  });
  return { options: JSON.stringify(config.options), secrets: box.seal(JSON.stringify(config.secrets), input.name), rules: JSON.stringify(rules) };
}

export async function addChannel(store: Store, box: SecretBox, input: ChannelInput): Promise<number> {
  const sealed = sealChannel(input, box);
  return store.notify.createChannel({ name: input.name, type: input.type, ...sealed });
}

export function viewOfChannel(row: ChannelRow, box: SecretBox | null): ChannelView {
  let secretsSet: string[] = [];
  if (box) {
    try {
      secretsSet = Object.keys(JSON.parse(box.open(row.secrets, row.name)) as Record<string, unknown>).sort();
    } catch {
      secretsSet = ['(cannot be decrypted with this key)'];
    }
  }
  return { name: row.name, type: row.type, options: JSON.parse(row.options) as Record<string, unknown>, secretsSet, rules: rulesOfRow(row).map(({ channel: _c, ...r }) => r), createdAt: row.created_at, updatedAt: row.updated_at };
}

/** A sample event for `channel test`: clearly marked, of a project that does not exist. */
export function sampleEvent(): FindingEvent {
  return {
    cursor: '0',
    kind: 'new',
    fingerprint: '0'.repeat(64),
    occurredAt: new Date().toISOString(),
    project: { id: 0, name: 'bulwark-test-message', team: null },
    target: 'sample',
    finding: {
      id: 'BULWARK-TEST-0001',
      aliases: [],
      severity: 'LOW',
      title: 'A sample finding sent by `bulwark channel test`; nothing to do.',
      fixedVersion: '1.0.1',
      package: { ecosystem: 'npm', name: 'bulwark-sample', version: '1.0.0', purl: 'pkg:npm/bulwark-sample@1.0.0' },
    },
    cause: { kind: 'scan', id: null },
  };
}

/**
 * Sends a sample through a channel, now, without the outbox: a message for Slack/webhook/email; for GitLab
 * and Jira a search for the sample's label (proves the URL, the token and the project without filing a ticket);
 * for a channel that only answers merge requests (github, gitlab with issues: false) a read of the API as the token.
 */
export async function testChannel(row: ChannelRow, box: SecretBox): Promise<string> {
  const { config } = channelFromRow(row, box);
  const e = sampleEvent();
  const forge = forgeOf(config);
  if (config.type === 'github' || (config.type === 'gitlab' && !config.options.issues)) {
    if (!forge) throw new Error('unreachable');
    return checkForge(forge);
  }
  if (config.type === 'gitlab' || config.type === 'jira') {
    const backend = config.type === 'gitlab' ? gitlabBackend(config.options, config.secrets) : jiraBackend(config.options, config.secrets);
    await backend.find(ticketLabel('000000000000000000000000'));
    return `${config.type}: reached ${new URL(config.options.url).host}, project ${config.options.project} (searched issues; nothing filed)`;
  }
  const channel = openChannel(config);
  if (channel.kind !== 'message') throw new Error('unreachable');
  const digest: Digest = { channel: config.name, project: e.project, events: [e], summary: false, dashboardUrl: config.options.dashboardUrl ?? null };
  try {
    const recipients = channel.recipients();
    for (const r of recipients) await channel.send(digest, r, `test-${Date.now()}`);
    return `${config.type}: sample sent${recipients[0] ? ` to ${recipients.length} recipient(s)` : ''}`;
  } finally {
    channel.close?.();
  }
}
