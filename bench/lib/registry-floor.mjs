// The floor of a registry pull: fetch the manifest and config of an image, then download every layer blob at the
// same time, each streamed through sha256 and gunzip (output counted, then dropped). Nothing is written to disk.
//   node bench/lib/registry-floor.mjs http://127.0.0.1:5000 debian multi
// Prints one JSON line: {"seconds": in-process seconds, "compressed": bytes, "uncompressed": bytes, "layers": n}.
// Plain node:http, the cheapest client Node has: fetch (undici, web streams) costs about 0.2 s more CPU for the
// same pull of debian:multi (74 MiB), so a floor measured through it would not be the floor.
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

const [base, repo, tag] = process.argv.slice(2);
const t0 = performance.now();
const get = (url, headers = {}) =>
  new Promise((resolve, reject) => (url.startsWith('https:') ? https : http).get(url, { headers }, resolve).on('error', reject)).then((r) => {
    if (r.statusCode !== 200) throw new Error(`${url}: HTTP ${r.statusCode}`);
    return r;
  });
const body = async (r) => {
  const parts = [];
  for await (const c of r) parts.push(c);
  return Buffer.concat(parts);
};
const accept = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
const manifest = JSON.parse(await body(await get(`${base}/v2/${repo}/manifests/${tag}`, { accept })));
await body(await get(`${base}/v2/${repo}/blobs/${manifest.config.digest}`));
let compressed = 0;
let uncompressed = 0;
await Promise.all(
  manifest.layers.map(async (l) => {
    const r = await get(`${base}/v2/${repo}/blobs/${l.digest}`);
    const hash = crypto.createHash('sha256');
    await pipeline(
      r,
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
