/** Helpers for the OS extractor specs (not shipped code paths). */
import { readPeerFixture } from '../../../test/support/shared.js';

/** The named file of a txtar archive (golang.org/x/tools/txtar): sections start with "-- name --". */
export function txtarFile(archive: string, name: string): string {
  const lines = archive.split('\n');
  const start = lines.findIndex((l) => l === `-- ${name} --`);
  if (start < 0) throw new Error(`txtar: no file ${name}`);
  const out: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (/^-- .+ --$/.test(l)) break;
    out.push(l);
  }
  return out.join('\n');
}

export function peerText(...parts: string[]): string {
  return new TextDecoder().decode(readPeerFixture(...parts));
}

export const noTree = { read: async (): Promise<undefined> => undefined };
