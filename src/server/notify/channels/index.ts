import { emailChannel } from './email.js';
import { gitlabChannel } from './gitlab.js';
import { jiraChannel } from './jira.js';
import type { SlackThreads } from './slack.js';
import { slackChannel } from './slack.js';
import type { Channel, ChannelConfig } from './types.js';
import { webhookChannel } from './webhook.js';

/** What a channel may keep between deliveries (the notifier's store): Slack's thread per project. */
export interface ChannelDeps {
  slackThreads?: SlackThreads;
}

/** The channel implementation of a validated configuration. */
export function openChannel(c: ChannelConfig, deps: ChannelDeps = {}): Channel & { close?: () => void } {
  switch (c.type) {
    case 'slack':
      return slackChannel(c.options, c.secrets, deps.slackThreads);
    case 'webhook':
      return webhookChannel(c.options, c.secrets);
    case 'email':
      return emailChannel(c.options, c.secrets);
    case 'gitlab':
      return gitlabChannel(c.options, c.secrets);
    case 'jira':
      return jiraChannel(c.options, c.secrets);
    case 'github':
      // Pull-request comments only (src/server/notify/mr-notes.ts): the notifier never routes events to it.
      throw new Error(`channel ${c.name}: a github channel takes no events`);
  }
}

export function dashboardUrlOf(c: ChannelConfig): string | null {
  return c.options.dashboardUrl ?? null;
}
