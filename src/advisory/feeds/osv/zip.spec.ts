import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeZip } from '../../../../test/support/zip.js';
import { osvFeed } from './feed.js';
import { readZipJsonEntries } from './zip.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

async function entries(zipPath: string): Promise<{ name: string; text: string }[]> {
  const out: { name: string; text: string }[] = [];
  for await (const e of readZipJsonEntries(zipPath)) out.push(e);
  return out;
}

describe('readZipJsonEntries', () => {
  it('reads STORED (uncompressed) entries, as Python zipfile writes them by default', async () => {
    const zipPath = path.join(fixtures, 'stored-go.zip');
    // The fixture really is STORED: compression method 0 in the first local header.
    expect(fs.readFileSync(zipPath).readUInt16LE(8)).toBe(0);
    const got = await entries(zipPath);
    expect(got.map((e) => e.name)).toEqual(['GO-2024-3321.json', 'GO-2023-2402.json']);
    expect((JSON.parse(got[0]!.text) as { aliases: string[] }).aliases).toContain('CVE-2024-45337');
  });

  it('imports a STORED export through the OSV feed like a deflated one', async () => {
    const items = [];
    for await (const item of osvFeed('Go').read(new Map([['osv/Go/all.zip', path.join(fixtures, 'stored-go.zip')]]))) items.push(item);
    expect(items.map((i) => ('id' in i ? i.id : 'skipped'))).toEqual(['GO-2024-3321', 'GO-2023-2402']);
  });

  it('reads the same records from a deflated zip', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-zip-'));
    const stored = await entries(path.join(fixtures, 'stored-go.zip'));
    const deflated = path.join(dir, 'all.zip');
    await writeZip(deflated, Object.fromEntries(stored.map((e) => [e.name, e.text])));
    expect(fs.readFileSync(deflated).readUInt16LE(8)).toBe(8);
    expect(await entries(deflated)).toEqual(stored);
  });

  it('refuses a STORED entry whose bytes do not match its CRC-32', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-zip-'));
    const bad = path.join(dir, 'bad.zip');
    const buf = Buffer.from(fs.readFileSync(path.join(fixtures, 'stored-go.zip')));
    const at = buf.indexOf(Buffer.from('"id": "GO-2024-3321"'));
    buf[at + 8] = 'X'.charCodeAt(0);
    fs.writeFileSync(bad, buf);
    await expect(entries(bad)).rejects.toThrow(/CRC-32 mismatch/);
  });
});
