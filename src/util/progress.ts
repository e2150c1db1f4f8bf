import cliProgress from 'cli-progress';

/** Progress of one long step. Shown as a bar on a TTY, nowhere else. */
export interface ProgressTask {
  /** Total units (bytes or records) when known. */
  setTotal(total: number): void;
  update(done: number): void;
  stop(): void;
}

export interface ProgressReporter {
  start(label: string, unit: 'bytes' | 'records', total?: number): ProgressTask;
}

const noopTask: ProgressTask = { setTotal() {}, update() {}, stop() {} };
export const noProgress: ProgressReporter = { start: () => noopTask };

function formatBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} KiB`;
  return `${n} B`;
}

/** Bars on stderr, redrawn at most ~10 times a second. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  return {
    start(label, unit, total) {
      const bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${label.padEnd(22)} {bar} {pct} {done}`,
          hideCursor: true,
          clearOnComplete: true,
          fps: 10,
          formatValue: (v, _o, type) => {
            if (type !== 'value' && type !== 'total') return String(v);
            return unit === 'bytes' ? formatBytes(v) : String(v);
          },
        },
        cliProgress.Presets.shades_classic,
      );
      let max = total ?? 0;
      const payload = (done: number): Record<string, string> => ({
        pct: max > 0 ? `${Math.min(100, Math.floor((done / max) * 100))}%` : '',
        done: unit === 'bytes' ? formatBytes(done) : `${done} ${unit}`,
      });
      bar.start(max, 0, payload(0));
      return {
        setTotal(t) {
          max = t;
          bar.setTotal(t);
        },
        update(done) {
          bar.update(Math.min(done, max || done), payload(done));
        },
        stop() {
          bar.stop();
        },
      };
    },
  };
}
