import { parentPort } from 'node:worker_threads';
import type { ImportFormat } from '../../import/index.js';
import { acceptReport, warmValidator } from './validate.js';

/**
 * A validation thread: checks uploaded bodies off the server's event loop, so that parsing a large report
 * never delays other requests. Messages: {id, body: Uint8Array, format?} in, {id, outcome} out (a Bulwark report stays
 * here, the server keeps the raw body; another scanner's report comes back converted).
 */
const port = parentPort;
if (port) {
  warmValidator();
  port.on('message', (msg: { id: number; body: Uint8Array; format?: ImportFormat }) => {
    port.postMessage({ id: msg.id, outcome: acceptReport(msg.body, msg.format) });
  });
}
