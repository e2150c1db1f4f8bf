import crypto from 'node:crypto';
import fs from 'node:fs';

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  const stream = fs.createReadStream(path, { highWaterMark: 1024 * 1024 });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sha256(data: string | Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}
