import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { extractText, ids } from '../../../../test/support/extract.js';
import { goVendorExtractor as ex } from './index.js';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

describe('lang/go-vendor', () => {
  it('required()', () => {
    expect(ex.required('vendor/modules.txt')).toBe(true);
    expect(ex.required('svc/vendor/modules.txt')).toBe(true);
    expect(ex.required('modules.txt')).toBe(false);
  });
  it('modules after replacement; local replacement is an unknown; replacement-only lines skipped', async () => {
    const out = await extractText(ex, 'vendor/modules.txt', fs.readFileSync(path.join(FIX, 'modules.txt')));
    expect(ids(out.packages)).toEqual(['github.com/davecgh/go-spew@v1.1.1', 'github.com/pkg/errors@v0.9.1', 'golang.org/x/text@v0.3.8']);
    expect(out.packages.map((p) => p.locations[0]?.line)).toEqual([1, 4, 7]);
    expect(out.unknowns?.map((u) => u.package?.name)).toEqual(['example.com/local']);
  });
  it('garbage → ParseError', async () => {
    const err = await extractText(ex, 'vendor/modules.txt', 'hello\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
  });
});
