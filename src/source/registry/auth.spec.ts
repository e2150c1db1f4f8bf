import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { basicHeader, parseWwwAuthenticate, resolveCredentials } from './auth.js';

describe('WWW-Authenticate', () => {
  it('parses a bearer challenge with quoted params (commas inside quotes)', () => {
    expect(
      parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push"'),
    ).toEqual({ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull,push' } });
  });
  it('parses basic, unquoted values and escapes', () => {
    expect(parseWwwAuthenticate('Basic realm="basic-realm"')).toEqual({ scheme: 'basic', params: { realm: 'basic-realm' } });
    expect(parseWwwAuthenticate('Bearer realm=http://127.0.0.1:5002/token, service=test-registry, error="invalid \\"token\\""')).toEqual({
      scheme: 'bearer',
      params: { realm: 'http://127.0.0.1:5002/token', service: 'test-registry', error: 'invalid "token"' },
    });
    expect(parseWwwAuthenticate('')).toBeUndefined();
  });
});

describe('credentials', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-auth-'));
  const cfg = path.join(tmp, 'config.json');
  fs.writeFileSync(
    cfg,
    JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub:pass').toString('base64') },
        'reg.example:5000': { auth: Buffer.from('u:p').toString('base64') },
        'https://ghcr.io': { username: 'gh', password: 'tok' },
      },
    }),
  );
  it('options, then env, then the Docker config', () => {
    expect(resolveCredentials('reg.example:5000', { username: 'a', password: 'b', env: { BULWARK_USERNAME: 'e', BULWARK_PASSWORD: 'f' }, dockerConfigPath: cfg })).toMatchObject({ username: 'a', source: 'options' });
    expect(resolveCredentials('reg.example:5000', { env: { BULWARK_USERNAME: 'e', BULWARK_PASSWORD: 'f' }, dockerConfigPath: cfg })).toMatchObject({ username: 'e', password: 'f', source: 'env' });
    expect(resolveCredentials('reg.example:5000', { env: {}, dockerConfigPath: cfg })).toEqual({ username: 'u', password: 'p', source: 'docker-config' });
    expect(resolveCredentials('docker.io', { env: {}, dockerConfigPath: cfg })).toEqual({ username: 'hubuser', password: 'hub:pass', source: 'docker-config' });
    expect(resolveCredentials('ghcr.io', { env: {}, dockerConfigPath: cfg })).toMatchObject({ username: 'gh', password: 'tok' });
    expect(resolveCredentials('other.example', { env: {}, dockerConfigPath: cfg })).toBeUndefined();
    expect(resolveCredentials('other.example', { env: {}, dockerConfigPath: path.join(tmp, 'absent.json') })).toBeUndefined();
  });
  it('DOCKER_CONFIG names the folder', () => {
    expect(resolveCredentials('reg.example:5000', { env: { DOCKER_CONFIG: tmp } })).toMatchObject({ username: 'u' });
  });
  it('basic header', () => {
    expect(basicHeader({ username: 'scanner', password: 's3cret', source: 'options' })).toBe(`Basic ${Buffer.from('scanner:s3cret').toString('base64')}`);
  });
});
