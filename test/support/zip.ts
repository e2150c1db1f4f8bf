import fs from 'node:fs';
import yazl from 'yazl';

/** Writes a zip of name → content (strings are JSON texts), as the OSV bucket lays out all.zip. */
export async function writeZip(file: string, entries: Record<string, string | Uint8Array>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) {
    zip.addBuffer(typeof content === 'string' ? Buffer.from(content) : Buffer.from(content), name, { mtime: new Date(0) });
  }
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(fs.createWriteStream(file)).on('close', resolve).on('error', reject);
  });
}

export function osvEntry(id: string, ecosystem: string, name: string, fixed: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    schema_version: '1.6.0',
    id,
    modified: '2024-01-01T00:00:00Z',
    affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
    ...extra,
  });
}
