import { describe, expect, it } from 'vitest';
import { WebhookPayloadError, pushesOf } from './events.js';
import { registryHost } from './registry-config.js';
import { parseProjectRule, projectFor } from './rules.js';
import { hashSecret, secretMatches } from './secrets.js';

const D = `sha256:${'ab'.repeat(32)}`;
const OCI = 'application/vnd.oci.image.manifest.v1+json';

describe('webhook secrets', () => {
  it('webhook secrets compare by hash', () => {
    const h = hashSecret('a-long-webhook-secret');
    expect(secretMatches('a-long-webhook-secret', h)).toBe(true);
    expect(secretMatches('a-long-webhook-secreT', h)).toBe(false);
    expect(secretMatches('', h)).toBe(false);
  });
});

describe('project rules', () => {
  const rules = ['team-a/**=a', 'base/*=base', 'db?=dbs', '**=rest'].map(parseProjectRule);
  it('first match wins; * stays in one segment, ** crosses them', () => {
    expect(projectFor(rules, 'team-a/x/y')).toBe('a');
    expect(projectFor(rules, 'team-a')).toBe('rest');
    expect(projectFor(rules, 'base/debian')).toBe('base');
    expect(projectFor(rules, 'base/debian/slim')).toBe('rest');
    expect(projectFor(rules, 'db1')).toBe('dbs');
    expect(projectFor([parseProjectRule('app/**=p')], 'other/x')).toBeUndefined();
    expect(projectFor([parseProjectRule('a.b/c=p')], 'aXb/c')).toBeUndefined();
  });
  it('refuses malformed rules', () => {
    expect(() => parseProjectRule('no-equals')).toThrow(/GLOB=PROJECT/);
    expect(() => parseProjectRule('x=')).toThrow(/GLOB=PROJECT/);
    expect(() => parseProjectRule('x=bad name')).toThrow(/project name/);
  });
});

describe('registry URLs', () => {
  it('host[:port], http only with --insecure, no path', () => {
    expect(registryHost('https://Reg.Example.com:5000', false)).toBe('reg.example.com:5000');
    expect(registryHost('127.0.0.1:5000', false)).toBe('127.0.0.1:5000');
    expect(() => registryHost('http://127.0.0.1:5000', false)).toThrow(/--insecure/);
    expect(registryHost('http://127.0.0.1:5000', true)).toBe('127.0.0.1:5000');
    expect(() => registryHost('https://x/y', false)).toThrow(/no path/);
  });
});

describe('webhook payloads', () => {
  it('distribution: manifest pushes only (blobs, pulls, deletes ignored)', () => {
    const env = {
      events: [
        { action: 'push', target: { mediaType: OCI, digest: D, repository: 'app/x', tag: 'v1' } },
        { action: 'push', target: { mediaType: 'application/octet-stream', digest: D, repository: 'app/x' } },
        { action: 'pull', target: { mediaType: OCI, digest: D, repository: 'app/x' } },
        { action: 'push', target: { mediaType: OCI, digest: D, repository: 'app/x' } },
      ],
    };
    expect(pushesOf('registry', env)).toEqual([
      { repository: 'app/x', digest: D, tag: 'v1' },
      { repository: 'app/x', digest: D, tag: null },
    ]);
  });
  it('Harbor PUSH_ARTIFACT; other Harbor events ignored', () => {
    const h = { type: 'PUSH_ARTIFACT', event_data: { repository: { repo_full_name: 'lib/app' }, resources: [{ digest: D, tag: 'latest' }] } };
    expect(pushesOf('harbor', h)).toEqual([{ repository: 'lib/app', digest: D, tag: 'latest' }]);
    expect(pushesOf('harbor', { ...h, type: 'PULL_ARTIFACT' })).toEqual([]);
  });
  it('hostile payloads are refused with the field named', () => {
    const one = (target: Record<string, unknown>) => ({ events: [{ action: 'push', target: { mediaType: OCI, digest: D, repository: 'a', ...target } }] });
    expect(() => pushesOf('registry', one({ digest: 'sha256:../../x' }))).toThrow(/events\[0\]: digest/);
    expect(() => pushesOf('registry', one({ repository: '../etc' }))).toThrow(/repository/);
    expect(() => pushesOf('registry', one({ repository: 'A/Upper' }))).toThrow(/repository/);
    expect(() => pushesOf('registry', one({ tag: 'a b' }))).toThrow(/tag/);
    expect(() => pushesOf('registry', { nope: 1 })).toThrow(WebhookPayloadError);
    expect(() => pushesOf('registry', [])).toThrow(WebhookPayloadError);
    expect(() => pushesOf('gitlab', { events: Array.from({ length: 1001 }, () => ({})) })).toThrow(/1000/);
    expect(() => pushesOf('harbor', { type: 'PUSH_ARTIFACT', event_data: {} })).toThrow(/repository and resources/);
  });
});
