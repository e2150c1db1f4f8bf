import { describe, expect, it } from 'vitest';
import {
  BulwarkError,
  DatabaseIncompatibleError,
  DatabaseMissingError,
  FeedError,
  FetchError,
  FileError,
  InvalidVersionError,
  ParseError,
  UnknownSchemeError,
  UsageError,
  describeError,
  isBulwarkError,
} from './errors.js';

describe('error classes: stable code, message naming the subject, a hint where the user can act', () => {
  it.each([
    [new UsageError('bad flag', 'see --help'), 'UsageError', 'BULWARK_E_USAGE', 'bad flag', 'see --help'],
    [new FileError('a/b.json', 'cannot read'), 'FileError', 'BULWARK_E_IO', 'a/b.json: cannot read', undefined],
    [new ParseError('yarn.lock', 'line 3: no version'), 'ParseError', 'BULWARK_E_PARSE', 'yarn.lock: line 3: no version', undefined],
    [new DatabaseMissingError('/c/db.sqlite'), 'DatabaseMissingError', 'BULWARK_E_DB_MISSING', 'no advisory database at /c/db.sqlite', 'run `bulwark db update` (or `bulwark db update --source <mirror>` offline) first'],
    [new DatabaseIncompatibleError('/c/db.sqlite', '1', 2), 'DatabaseIncompatibleError', 'BULWARK_E_DB_INCOMPATIBLE', 'advisory database /c/db.sqlite has schema model 1; this Bulwark reads model 2', 'run `bulwark db update` to rebuild it'],
    [new FeedError('osv/npm', 'truncated'), 'FeedError', 'BULWARK_E_FEED', 'feed osv/npm: truncated', undefined],
    [new FeedError('osv/npm', 'absent', { code: 'BULWARK_E_FEED_MISSING' }), 'FeedError', 'BULWARK_E_FEED_MISSING', 'feed osv/npm: absent', undefined],
    [new FetchError('https://x/y', 'HTTP 503', { status: 503, retryable: true }), 'FetchError', 'BULWARK_E_FETCH', 'https://x/y: HTTP 503', undefined],
    [new InvalidVersionError('semver', '1.x.y', 'not a number'), 'InvalidVersionError', 'BULWARK_E_INVALID_VERSION', 'invalid semver version "1.x.y": not a number', undefined],
    [new InvalidVersionError('pep440', ''), 'InvalidVersionError', 'BULWARK_E_INVALID_VERSION', 'invalid pep440 version ""', undefined],
    [new UnknownSchemeError('foo', ['semver', 'pep440']), 'UnknownSchemeError', 'BULWARK_E_UNKNOWN_SCHEME', 'unknown version scheme "foo"', 'use one of: semver, pep440'],
  ])('%#: %s', (err, name, code, message, hint) => {
    expect(err).toBeInstanceOf(BulwarkError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
    expect(err.hint).toBe(hint);
    expect(isBulwarkError(err)).toBe(true);
  });

  it('keeps the cause', () => {
    const cause = new SyntaxError('Unexpected token');
    expect(new ParseError('package.json', 'not JSON', { cause }).cause).toBe(cause);
    expect(new FileError('x', 'y').cause).toBeUndefined();
  });

  it('FetchError carries status and whether a retry may help', () => {
    const e = new FetchError('https://x', 'reset', { retryable: true });
    expect([e.status, e.retryable, e.url]).toEqual([undefined, true, 'https://x']);
  });

  it.each([
    [new Error('plain'), 'plain'],
    [new ParseError('f', 'bad'), 'f: bad'],
    ['a string', 'a string'],
    [42, '42'],
    [undefined, 'undefined'],
  ])('describeError(%j)', (e, line) => {
    expect(describeError(e)).toBe(line);
  });

  it.each([[new Error('x')], ['x'], [{ code: 'BULWARK_E_PARSE' }]])('isBulwarkError(%j) is false', (e) => {
    expect(isBulwarkError(e)).toBe(false);
  });
});
