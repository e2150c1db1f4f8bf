// The floor of a registry pull: fetch the manifest and config of an image, then download every layer blob at the
// same time, each streamed through sha256 and gunzip (output counted, then dropped). Nothing is written to disk.
//   node bench/lib/registry-floor.mjs http://127.0.0.1:5000 debian multi
// Prints one JSON line: {"seconds": in-process seconds, "compressed": bytes, "uncompressed": bytes, "layers": n}.
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

const [base, repo, tag] = process.argv.slice(2);
const t0 = performance.now();
const accept = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
const res = await fetch(`${base}/v2/${repo}/manifests/${tag}`, { headers: { accept } });
if (!res.ok) throw new Error(`manifest: HTTP ${res.status}`);
const manifest = await res.json();
const config = await fetch(`${base}/v2/${repo}/blobs/${manifest.config.digest}`);
await config.arrayBuffer();
let compressed = 0;
let uncompressed = 0;
await Promise.all(
  manifest.layers.map(async (l) => {
    const r = await fetch(`${base}/v2/${repo}/blobs/${l.digest}`);
    if (!r.ok) throw new Error(`${l.digest}: HTTP ${r.status}`);
    const hash = crypto.createHash('sha256');
    await pipeline(
      Readable.fromWeb(r.body, { highWaterMark: 1 << 20 }),
      async function* (chunks) {
        for await (const c of chunks) {
          compressed += c.length;
          hash.update(c);
          yield c;
        }
      },
      zlib.createGunzip({ chunkSize: 1 << 20 }),
      async (out) => {
        for await (const c of out) uncompressed += c.length;
      },
    );
    if (`sha256:${hash.digest('hex')}` !== l.digest) throw new Error(`${l.digest}: digest mismatch`);
  }),
);
console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, compressed, uncompressed, layers: manifest.layers.length }));
