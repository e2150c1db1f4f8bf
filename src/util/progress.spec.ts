import { describe, expect, it } from 'vitest';
import { describeTask, terminalProgress } from './progress.js';

describe('progress', () => {
  it('shows counts and bytes; a total and a percentage only when known; a rate after a second', () => {
    expect(describeTask({ label: 'walking files', unit: 'files', done: 12345, detail: '1,002 folders', startedMs: 0 }, 500)).toBe('walking files  12,345 files, 1,002 folders');
    expect(describeTask({ label: 'layer 1/3', unit: 'bytes', done: 3 << 20, total: 12 << 20, startedMs: 0 }, 2000)).toBe('layer 1/3  3.0 MiB / 12.0 MiB (25%)  1.5 MiB/s');
    expect(describeTask({ label: 'import osv', unit: 'records', done: 1000, startedMs: 0 }, 2000)).toBe('import osv  1,000 records  500/s');
  });

  it('draws one line on the stream, every running task on it, and erases it when all stop', () => {
    const writes: string[] = [];
    let t = 0;
    const stream = { columns: 200, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    const p = terminalProgress(stream, () => t);
    const a = p.start('walk', 'files');
    const b = p.start('pull', 'bytes', 2048);
    t = 200;
    b.update(1024);
    expect(writes.at(-1)).toBe('\rwalk  0 files  |  pull  1 KiB / 2 KiB (50%)\x1b[K');
    t = 250;
    a.update(5); // throttled: less than 100 ms since the last draw
    expect(writes.at(-1)).toContain('0 files');
    a.stop();
    b.stop();
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });
});
