import fs from 'node:fs';
import path from 'node:path';
import type { CliContext } from './context.js';

/** Writes a command's result to --output FILE (atomically) or to stdout. */
export function writeResult(ctx: CliContext, text: string, outputFile?: string): void {
  const body = text.endsWith('\n') ? text : text + '\n';
  if (!outputFile) {
    ctx.stdout.write(body);
    return;
  }
  const target = path.resolve(outputFile);
  const tmp = `${target}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, body);
  fs.renameSync(tmp, target);
}
