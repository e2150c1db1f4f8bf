import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { extractText, ids } from '../../../../test/support/extract.js';
import { goDepExtractor as ex } from './index.js';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

describe('lang/go-dep', () => {
  it('tagged projects are packages (bare semver gets a v); branch-only ones are unknowns', async () => {
    const out = await extractText(ex, 'Gopkg.lock', fs.readFileSync(path.join(FIX, 'Gopkg.lock')));
    expect(ids(out.packages)).toEqual(['github.com/davecgh/go-spew@v1.1.1', 'github.com/pkg/errors@v0.8.0']);
    expect(out.packages[0]).toMatchObject({ ecosystem: 'Go', purl: 'pkg:golang/github.com/davecgh/go-spew@v1.1.1', locations: [{ line: 4 }] });
    expect(out.unknowns).toEqual([expect.objectContaining({ kind: 'unresolved-version', package: { name: 'golang.org/x/crypto' } })]);
  });
  it('bad TOML → ParseError', async () => {
    const err = await extractText(ex, 'Gopkg.lock', '[[projects]\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).path).toBe('Gopkg.lock');
  });
});
