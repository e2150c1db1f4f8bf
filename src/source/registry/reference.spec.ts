import { describe, expect, it } from 'vitest';
import { apiHost, formatReference, isLoopbackHost, parseReference, tryParseReference } from './reference.js';

describe('image references', () => {
  it.each([
    ['alpine', 'docker.io/library/alpine:latest'],
    ['debian:12', 'docker.io/library/debian:12'],
    ['library/debian:bookworm-slim', 'docker.io/library/debian:bookworm-slim'],
    ['bitnami/redis', 'docker.io/bitnami/redis:latest'],
    ['docker.io/alpine:3.19', 'docker.io/library/alpine:3.19'],
    ['index.docker.io/library/alpine', 'docker.io/library/alpine:latest'],
    ['127.0.0.1:5000/debian:multi', '127.0.0.1:5000/debian:multi'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/a/b/c:v1.2_3', 'localhost:5000/a/b/c:v1.2_3'],
    ['ghcr.io/x/y@sha256:' + 'a'.repeat(64), 'ghcr.io/x/y@sha256:' + 'a'.repeat(64)],
    ['ghcr.io/x/y:1@sha256:' + 'b'.repeat(64), 'ghcr.io/x/y:1@sha256:' + 'b'.repeat(64)],
    ['[::1]:5000/img', '[::1]:5000/img:latest'],
  ])('%s → %s', (input, want) => {
    expect(formatReference(parseReference(input))).toBe(want);
  });

  it.each(['', 'Alpine', 'a b', 'debian:', 'x@sha256:123', '-bad', 'repo:tag:tag', 'host:5000/UPPER', 'http://x/y'])('%j is not a reference', (s) => {
    expect(tryParseReference(s)).toBeUndefined();
  });

  it('a parse failure is a usage error with a hint', () => {
    expect(() => parseReference('Not Valid')).toThrow(expect.objectContaining({ code: 'BULWARK_E_USAGE', hint: expect.stringContaining('debian:12') }));
  });

  it('Docker Hub is reached at registry-1.docker.io; loopback hosts are recognized', () => {
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('ghcr.io')).toBe('ghcr.io');
    expect(['localhost:5000', '127.0.0.1:5001', '[::1]:5000', '127.5.5.5'].map(isLoopbackHost)).toEqual([true, true, true, true]);
    expect(isLoopbackHost('10.0.0.1:5000')).toBe(false);
  });
});
