import fs from 'node:fs';
import { BulwarkError } from '../core/errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive lock file holding the owner's pid. A lock left by a process that no longer runs
 * (killed mid-update) is taken over.
 */
export function acquireLock(path: string, what: string): () => void {
  for (let i = 0; i < 2; i++) {
    try {
      const fd = fs.openSync(path, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => fs.rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new BulwarkError('BULWARK_E_DB_LOCKED', `${what} is locked by process ${pid} (${path})`, {
          hint: 'wait for the other update to finish',
        });
      }
      fs.rmSync(path, { force: true });
    }
  }
  throw new BulwarkError('BULWARK_E_DB_LOCKED', `cannot take the lock ${path}`);
}
