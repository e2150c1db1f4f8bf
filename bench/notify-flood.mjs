// Notification flood: 1,000 new findings across 50 projects (one advisory-feed change) through Slack, a signed
// webhook and email to loopback receivers (HTTP servers, a real SMTP server from smtp-server); SQLite store.
//   npm run build && node bench/notify-flood.mjs [--rate 30|100] [--runs 3]
// Prints: time to route and queue (collect), time to deliver everything, messages per channel, and checks that
// no channel got more than one message per project.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { Store } from '../dist/server/store/store.js';
import { MemoryEventFeed } from '../dist/server/notify/event.js';
import { Notifier } from '../dist/server/notify/notifier.js';
import { SecretBox } from '../dist/server/notify/secrets.js';
import { addChannel } from '../dist/server/notify/manage.js';
import { verifyWebhook } from '../dist/server/notify/channels/webhook.js';

const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const rate = Number(arg('--rate', '30'));
const runs = Number(arg('--runs', '3'));
const SECRET = 'bench-secret-0123456789';

function receiver(check) {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const ok = check(req, body);
      if (ok) got.push(JSON.parse(body));
      res.writeHead(ok ? 200 : 401).end(ok ? 'ok' : 'bad');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ got, url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() })));
}

function flood(run) {
  const out = [];
  const sev = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
  let cursor = run * 10_000;
  for (let p = 1; p <= 50; p++) {
    for (let f = 0; f < 20; f++) {
      cursor++;
      const pkg = `pkg-${f % 7}`;
      out.push({
        cursor: String(cursor), kind: 'new', fingerprint: crypto.createHash('sha256').update(`${run}/${p}/${f}`).digest('hex'),
        occurredAt: new Date().toISOString(), project: { id: p, name: `service-${p}`, team: null }, target: 'main',
        finding: { id: `GHSA-bench-${p}-${f}`, aliases: [], severity: sev[(p + f) % 4], title: null, fixedVersion: '2.0.0', package: { ecosystem: 'npm', name: pkg, version: '1.0.0', purl: `pkg:npm/${pkg}@1.0.0` } },
        cause: { kind: 'db-refresh', id: `bench-${run}` },
      });
    }
  }
  return out;
}

const slack = await receiver((req) => req.method === 'POST');
const hook = await receiver((req, body) => verifyWebhook(SECRET, { timestamp: req.headers['x-bulwark-timestamp'], signature: req.headers['x-bulwark-signature'] }, body).ok);
const mails = [];
const smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, onData(stream, session, cb) { stream.on('data', () => {}); stream.on('end', () => { mails.push(session.envelope.rcptTo.map((r) => r.address)); cb(); }); } });
await new Promise((r) => smtp.listen(0, '127.0.0.1', r));

console.log(`| run | rate/min | collect (s) | deliver (s) | Slack msgs | webhook msgs | emails | events in webhooks | max msgs per project |`);
console.log(`|---|---|---|---|---|---|---|---|---|`);
for (let run = 1; run <= runs; run++) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-notify-'));
  const store = await Store.open({ dataDir });
  const box = SecretBox.fromKey(crypto.randomBytes(32));
  await addChannel(store, box, { name: 'slack', type: 'slack', options: {}, secrets: { url: slack.url + '/services/T/B/X' }, rules: [] });
  await addChannel(store, box, { name: 'hook', type: 'webhook', options: { url: hook.url + '/hook' }, secrets: { secret: SECRET }, rules: [] });
  await addChannel(store, box, { name: 'mail', type: 'email', options: { host: '127.0.0.1', port: smtp.server.address().port, from: 'bulwark@example.com', to: ['oncall@example.com'] }, secrets: {}, rules: [] });
  const feed = new MemoryEventFeed();
  feed.push(...flood(run));
  const notifier = new Notifier(store, { feed, secrets: box, rateLimitPerMinute: rate });
  const [s0, h0, m0] = [slack.got.length, hook.got.length, mails.length];
  const t0 = performance.now();
  await notifier.collect();
  const t1 = performance.now();
  while ((await store.notify.counts()).pending) await notifier.deliver();
  const t2 = performance.now();
  const hooks = hook.got.slice(h0);
  const perProject = new Map();
  for (const v of hooks) perProject.set(v.project.name, (perProject.get(v.project.name) ?? 0) + 1);
  const events = hooks.reduce((n, v) => n + v.count, 0);
  console.log(`| ${run} | ${rate} | ${((t1 - t0) / 1000).toFixed(2)} | ${((t2 - t1) / 1000).toFixed(2)} | ${slack.got.length - s0} | ${hooks.length} | ${mails.length - m0} | ${events} | ${Math.max(...perProject.values())} |`);
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
slack.close();
hook.close();
smtp.close();
