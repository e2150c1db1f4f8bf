/**
 * Progress of long steps (layer walks, registry pulls, directory walks, feed imports), drawn on one stderr line on
 * a TTY and nowhere else. It shows what is known: counts and bytes done, the total and a percentage only when the
 * total is known, and a rate; never a bar that pretends to know the end.
 */
export type ProgressUnit = 'bytes' | 'records' | 'files' | 'layers';

export interface ProgressTask {
  /** Total units when it becomes known. */
  setTotal(total: number): void;
  /** Units done so far, and an optional detail (e.g. "1,204 folders"). */
  update(done: number, detail?: string): void;
  stop(): void;
}

export interface ProgressReporter {
  start(label: string, unit: ProgressUnit, total?: number): ProgressTask;
}

const noopTask: ProgressTask = { setTotal() {}, update() {}, stop() {} };
export const noProgress: ProgressReporter = { start: () => noopTask };

export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} KiB`;
  return `${n} B`;
}

const count = (n: number): string => n.toLocaleString('en-US');

export interface TaskState {
  label: string;
  unit: ProgressUnit;
  done: number;
  total?: number;
  detail?: string;
  startedMs: number;
}

/** One task as text: `label  done[/total unit] (pct)  detail  rate`. */
export function describeTask(t: TaskState, nowMs: number): string {
  const amount = (n: number): string => (t.unit === 'bytes' ? formatBytes(n) : count(n));
  const unit = t.unit === 'bytes' ? '' : ` ${t.unit}`;
  let s = `${t.label}  ${amount(t.done)}`;
  if (t.total !== undefined && t.total > 0) s += ` / ${amount(t.total)}${unit} (${Math.min(100, Math.floor((t.done / t.total) * 100))}%)`;
  else s += unit;
  if (t.detail) s += `, ${t.detail}`;
  const seconds = (nowMs - t.startedMs) / 1000;
  if (seconds >= 1 && t.done > 0) s += `  ${t.unit === 'bytes' ? `${formatBytes(t.done / seconds)}/s` : `${count(Math.round(t.done / seconds))}/s`}`;
  return s;
}

/** A live line on `stream` (a TTY): every running task, redrawn at most 10 times a second, erased when all stop. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr, now: () => number = () => performance.now()): ProgressReporter {
  const tasks = new Set<TaskState>();
  let lastDraw = 0;
  let drawn = false;
  const draw = (force: boolean): void => {
    const t = now();
    if (!force && t - lastDraw < 100) return;
    lastDraw = t;
    const width = Math.max(20, (stream.columns || 100) - 1);
    const line = [...tasks].map((task) => describeTask(task, t)).join('  |  ');
    stream.write(`\r${line.length > width ? line.slice(0, width - 1) + '…' : line}\x1b[K`);
    drawn = true;
  };
  return {
    start(label, unit, total) {
      const state: TaskState = { label, unit, done: 0, ...(total !== undefined ? { total } : {}), startedMs: now() };
      tasks.add(state);
      draw(true);
      return {
        setTotal(total) {
          state.total = total;
          draw(false);
        },
        update(done, detail) {
          state.done = done;
          if (detail !== undefined) state.detail = detail;
          draw(false);
        },
        stop() {
          if (!tasks.delete(state)) return;
          if (tasks.size > 0) draw(true);
          else if (drawn) {
            stream.write('\r\x1b[K');
            drawn = false;
          }
        },
      };
    },
  };
}
