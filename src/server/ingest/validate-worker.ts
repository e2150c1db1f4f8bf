import { parentPort } from 'node:worker_threads';
import { parseReport, warmValidator } from './validate.js';

/**
 * A validation thread: checks uploaded bodies off the server's event loop, so that parsing a large report
 * never delays other requests. Messages: {id, body: Uint8Array} in, {id, outcome} out (the parsed report
 * stays here; the server keeps the raw body).
 */
const port = parentPort;
if (port) {
  warmValidator();
  port.on('message', (msg: { id: number; body: Uint8Array }) => {
    const text = Buffer.from(msg.body.buffer, msg.body.byteOffset, msg.body.byteLength).toString('utf8');
    const r = parseReport(text);
    port.postMessage({ id: msg.id, outcome: r.ok ? { ok: true } : { ok: false, message: r.message, details: r.details } });
  });
}
