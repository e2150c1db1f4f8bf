import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMirrorServer } from '../../test/support/http-mirror.js';
import type { MirrorServer } from '../../test/support/http-mirror.js';
import { REPO_ROOT, VULNDATA_DIR, hasShared } from '../../test/support/shared.js';
import { osvEntry, writeZip } from '../../test/support/zip.js';
import { AdvisoryDbReader } from './store/reader.js';
import { databasePath, updateDatabase } from './update.js';

function tmpDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `bulwark-${label}-`));
}

/** Counts an OSV export independently of the importer (plain yauzl, whole-entry reads). */
async function countExport(zipPath: string, ecosystem: string): Promise<{ entries: number; withdrawn: number; affecting: number }> {
  const counts = { entries: 0, withdrawn: 0, affecting: 0 };
  await new Promise<void>((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { withdrawn?: string; affected?: { package?: { ecosystem?: string } }[] };
            counts.entries++;
            if (doc.withdrawn) counts.withdrawn++;
            else if ((doc.affected ?? []).some((a) => a.package?.ecosystem === ecosystem || a.package?.ecosystem?.startsWith(`${ecosystem}:`))) counts.affecting++;
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
  return counts;
}

// Record counts per export, from ../shared/vulndata/README.md ("osv/: OSV JSON" table).
const SNAPSHOT_RECORDS: Record<string, number> = {
  npm: 13326,
  PyPI: 9190,
  Go: 4291,
  'crates.io': 1208,
  RubyGems: 33,
  Maven: 25,
  NuGet: 14,
  Packagist: 10,
};

const SNAPSHOT = hasShared('src/advisory/update.spec.ts: db update from the shared snapshot, an interrupted update', 'vulndata');

describe.skipIf(!SNAPSHOT)('db update from the shared snapshot', () => {
  const cacheDir = tmpDir('snapshot');
  let firstDbStat: fs.Stats;

  beforeAll(async () => {
    const result = await updateDatabase({ cacheDir, source: VULNDATA_DIR, ecosystems: Object.keys(SNAPSHOT_RECORDS) });
    expect(result.outcomes.filter((o) => o.result === 'failed')).toEqual([]);
    firstDbStat = fs.statSync(result.dbPath);
  }, 180_000);

  it.each(Object.entries(SNAPSHOT_RECORDS))('imports every record of osv/%s', async (ecosystem, records) => {
    const reader = AdvisoryDbReader.open(databasePath(cacheDir));
    try {
      const status = reader.status();
      const feed = status.feeds.find((f) => f.id === `osv/${ecosystem}`);
      expect(feed?.status).toBe('ok');
      expect(feed?.records).toBe(records);
      expect(feed?.skipped).toBe(0);
      const independent = await countExport(path.join(VULNDATA_DIR, 'osv', ecosystem, 'all.zip'), ecosystem);
      expect(independent.entries).toBe(records);
      expect(status.ecosystems[ecosystem]).toBe(independent.affecting);
    } finally {
      reader.close();
    }
  });

  it('keeps withdrawn advisories out of matching (README: 3 withdrawn MAL npm reports, 17 withdrawn GO)', async () => {
    const reader = AdvisoryDbReader.open(databasePath(cacheDir));
    try {
      expect(reader.status().ecosystems.npm).toBe(13326 - 3);
      expect((await countExport(path.join(VULNDATA_DIR, 'osv/Go/all.zip'), 'Go')).withdrawn).toBe(17);
    } finally {
      reader.close();
    }
  });

  it('finds a known advisory with its aliases, ranges and CVSS severity', () => {
    const reader = AdvisoryDbReader.open(databasePath(cacheDir));
    try {
      const log4j = reader.affected('Maven', 'org.apache.logging.log4j:log4j-core').filter((m) => m.advisory.id === 'GHSA-jfh8-c2jp-5v3q');
      expect(log4j).toHaveLength(3);
      const adv = log4j[0]!.advisory;
      expect(adv.aliases).toContain('CVE-2021-44228');
      expect(adv.severity).toBe('CRITICAL');
      expect(adv.cvssScore).toBe(10);
      expect(adv.cvssVector).toBe('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H');
      expect(log4j.map((m) => m.affected.ranges[0]!.events)).toContainEqual([{ introduced: '2.13.0' }, { fixed: '2.15.0' }]);
      expect(reader.advisories('CVE-2021-44228').map((a) => a.id)).toContain('GHSA-jfh8-c2jp-5v3q');
      // PEP 503 lookup: an advisory for "Django" is found under "django".
      expect(reader.affected('PyPI', 'Django').length).toBeGreaterThan(10);
    } finally {
      reader.close();
    }
  });

  it('answers a batch of names (affectedMany) exactly as one query per name', () => {
    const reader = AdvisoryDbReader.open(databasePath(cacheDir));
    try {
      const cases: [string, string[]][] = [
        ['npm', ['lodash', 'left-pad', 'minimist', 'no-such-package-anywhere', 'lodash', 'express']],
        // PEP 503 lookup names: "Django" and "django" are one package, asked under both spellings
        ['PyPI', ['Django', 'django', 'requests', 'Jinja2']],
        ['Maven', ['org.apache.logging.log4j:log4j-core']],
        ['Go', []],
      ];
      for (const [ecosystem, names] of cases) {
        const batch = reader.affectedMany(ecosystem, names);
        expect([...batch.keys()].sort()).toEqual([...new Set(names)].sort());
        for (const name of names) {
          const key = (m: { advisory: { feed: string; id: string }; affected: unknown }): string => `${m.advisory.feed} ${m.advisory.id} ${JSON.stringify(m.affected)}`;
          expect(batch.get(name)!.map(key).sort()).toEqual(reader.affected(ecosystem, name).map(key).sort());
        }
      }
      expect(reader.affectedMany('npm', ['lodash']).get('lodash')!.length).toBeGreaterThan(3);
      expect(reader.affectedMany('PyPI', ['Django']).get('Django')!.length).toBeGreaterThan(10);
    } finally {
      reader.close();
    }
  });

  it('does no work when run again on the unchanged source', async () => {
    const again = await updateDatabase({ cacheDir, source: VULNDATA_DIR, ecosystems: Object.keys(SNAPSHOT_RECORDS) });
    expect(again.rebuilt).toBe(false);
    expect(new Set(again.outcomes.map((o) => o.result))).toEqual(new Set(['unchanged']));
    expect(fs.statSync(again.dbPath).ino).toBe(firstDbStat.ino);
  });
});

describe('db update on bad input', () => {
  let root: string;
  let mirror: string;
  let server: MirrorServer;

  beforeAll(async () => {
    root = tmpDir('bad');
    mirror = path.join(root, 'mirror');
    fs.mkdirSync(path.join(mirror, 'osv/npm'), { recursive: true });
    fs.mkdirSync(path.join(mirror, 'osv/PyPI'), { recursive: true });
    await writeZip(path.join(mirror, 'osv/npm/all.zip'), {
      'GHSA-0001.json': osvEntry('GHSA-0001', 'npm', 'left-pad', '1.3.0', { aliases: ['CVE-2099-0001'] }),
      'GHSA-0002.json': osvEntry('GHSA-0002', 'npm', 'lodash', '4.17.21'),
    });
    await writeZip(path.join(mirror, 'osv/PyPI/all.zip'), { 'PYSEC-1.json': osvEntry('PYSEC-1', 'PyPI', 'Django', '4.2.1') });
    server = await startMirrorServer(mirror);
  });
  afterAll(async () => server.close());

  const fast = { attempts: 2, backoffMs: 5 };
  const ecosystems = ['npm', 'PyPI'];

  async function freshCache(): Promise<string> {
    const cacheDir = tmpDir('cache');
    const first = await updateDatabase({ cacheDir, source: mirror, ecosystems });
    expect(first.outcomes.map((o) => o.result)).toEqual(['imported', 'imported']);
    return cacheDir;
  }

  function npmIds(cacheDir: string): string[] {
    const reader = AdvisoryDbReader.open(databasePath(cacheDir));
    try {
      return [...reader.affected('npm', 'left-pad'), ...reader.affected('npm', 'lodash')].map((m) => m.advisory.id).sort();
    } finally {
      reader.close();
    }
  }

  it('a corrupt zip fails only its feed, keeps its previous data and names it', async () => {
    const cacheDir = await freshCache();
    const broken = path.join(root, 'broken');
    fs.cpSync(mirror, broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'osv/npm/all.zip'), Buffer.from('PK\u0003\u0004 this is not really a zip archive'));
    await writeZip(path.join(broken, 'osv/PyPI/all.zip'), {
      'PYSEC-1.json': osvEntry('PYSEC-1', 'PyPI', 'Django', '4.2.1'),
      'PYSEC-2.json': osvEntry('PYSEC-2', 'PyPI', 'requests', '2.31.0'),
    });
    const result = await updateDatabase({ cacheDir, source: broken, ecosystems });
    const npm = result.outcomes.find((o) => o.feed === 'osv/npm');
    expect(npm?.result).toBe('failed');
    expect(npm?.error).toMatch(/zip/);
    expect(result.outcomes.find((o) => o.feed === 'osv/PyPI')?.result).toBe('imported');
    expect(npmIds(cacheDir)).toEqual(['GHSA-0001', 'GHSA-0002']);
    const reader = AdvisoryDbReader.open(databasePath(cacheDir));
    try {
      const feed = reader.feeds().find((f) => f.id === 'osv/npm');
      expect(feed?.status).toBe('failed');
      expect(feed?.records).toBe(2);
      expect(reader.affected('PyPI', 'requests')).toHaveLength(1);
    } finally {
      reader.close();
    }
  });

  it('an entry with a damaged CRC fails the feed rather than importing part of it', async () => {
    const cacheDir = await freshCache();
    const broken = path.join(root, 'crc');
    fs.cpSync(mirror, broken, { recursive: true });
    const zipPath = path.join(broken, 'osv/npm/all.zip');
    await writeZip(zipPath, { 'GHSA-0003.json': osvEntry('GHSA-0003', 'npm', 'left-pad', '2.0.0') });
    const bytes = fs.readFileSync(zipPath);
    const at = bytes.indexOf(Buffer.from('GHSA-0003.json')) + 'GHSA-0003.json'.length + 5; // inside the compressed data
    bytes[at] = bytes[at]! ^ 0xff;
    fs.writeFileSync(zipPath, bytes);
    const result = await updateDatabase({ cacheDir, source: broken, ecosystems: ['npm'] });
    expect(result.outcomes[0]?.result).toBe('failed');
    expect(result.outcomes[0]?.error).toMatch(/GHSA-0003\.json/);
    expect(npmIds(cacheDir)).toEqual(['GHSA-0001', 'GHSA-0002']);
  });

  it('skips and counts entries that are not OSV, importing the rest', async () => {
    const cacheDir = tmpDir('notosv');
    const odd = path.join(root, 'odd');
    fs.mkdirSync(path.join(odd, 'osv/npm'), { recursive: true });
    await writeZip(path.join(odd, 'osv/npm/all.zip'), {
      'GHSA-0001.json': osvEntry('GHSA-0001', 'npm', 'left-pad', '1.3.0'),
      'README.json': JSON.stringify({ hello: 'world' }),
      'broken.json': '{"id": "GHSA-9999", "modified": ',
      'list.json': '[1, 2, 3]',
    });
    const result = await updateDatabase({ cacheDir, source: odd, ecosystems: ['npm'] });
    expect(result.outcomes[0]).toMatchObject({ result: 'imported', records: 1, skipped: 3 });
    const reader = AdvisoryDbReader.open(databasePath(cacheDir));
    try {
      const feed = reader.feeds()[0]!;
      expect(JSON.parse(feed.skipped_sample!)).toEqual(
        expect.arrayContaining([expect.stringMatching(/README\.json: not an OSV entry: missing "id"/), expect.stringMatching(/broken\.json: not JSON/)]),
      );
    } finally {
      reader.close();
    }
  });

  it('a truncated download fails the feed after retrying, previous database intact', async () => {
    const cacheDir = await freshCache();
    server.faults.set('/osv/npm/all.zip', 'truncate');
    try {
      const result = await updateDatabase({ cacheDir, source: server.url, ecosystems: ['npm'], ...fast });
      expect(result.outcomes[0]?.result).toBe('failed');
      expect(result.outcomes[0]?.error).toMatch(/truncated|interrupted|terminated/);
      expect(server.log.filter((l) => l === 'GET /osv/npm/all.zip 200').length).toBeGreaterThanOrEqual(2);
    } finally {
      server.faults.clear();
    }
    expect(npmIds(cacheDir)).toEqual(['GHSA-0001', 'GHSA-0002']);
  });

  it('a mirror that drops the connection mid-stream fails the feed, previous database intact', async () => {
    const cacheDir = await freshCache();
    server.faults.set('/osv/npm/all.zip', 'reset-mid-stream');
    server.faults.set('/osv/PyPI/all.zip', 'status-500');
    try {
      const result = await updateDatabase({ cacheDir, source: server.url, ecosystems, ...fast });
      expect(result.outcomes.map((o) => o.result)).toEqual(['failed', 'failed']);
      expect(result.outcomes[1]?.error).toMatch(/HTTP 500/);
    } finally {
      server.faults.clear();
    }
    expect(npmIds(cacheDir)).toEqual(['GHSA-0001', 'GHSA-0002']);
  });

  it('over HTTP, an unchanged feed costs one conditional request', async () => {
    const cacheDir = tmpDir('etag');
    const first = await updateDatabase({ cacheDir, source: server.url, ecosystems, ...fast });
    expect(first.outcomes.map((o) => o.result)).toEqual(['imported', 'imported']);
    const before = server.log.length;
    const second = await updateDatabase({ cacheDir, source: server.url, ecosystems, ...fast });
    expect(second.outcomes.map((o) => o.result)).toEqual(['unchanged', 'unchanged']);
    expect(second.rebuilt).toBe(false);
    expect(server.log.slice(before)).toEqual(['GET /osv/npm/all.zip 304', 'GET /osv/PyPI/all.zip 304']);
  });

  it('a feed missing from the mirror is reported and skipped, not fatal', async () => {
    const cacheDir = tmpDir('missing');
    const result = await updateDatabase({ cacheDir, source: mirror, ecosystems: ['npm', 'Go'] });
    expect(result.outcomes.map((o) => [o.feed, o.result])).toEqual([
      ['osv/npm', 'imported'],
      ['osv/Go', 'missing'],
    ]);
    const reader = AdvisoryDbReader.open(databasePath(cacheDir));
    try {
      expect(reader.feeds().find((f) => f.id === 'osv/Go')?.status).toBe('missing');
    } finally {
      reader.close();
    }
  });

  it('refuses a database of another model with a clear error', async () => {
    const cacheDir = await freshCache();
    const db = new Database(databasePath(cacheDir));
    db.prepare(`UPDATE meta SET value = '999' WHERE key = 'model'`).run();
    db.close();
    expect(() => AdvisoryDbReader.open(databasePath(cacheDir))).toThrow(
      expect.objectContaining({ code: 'BULWARK_E_DB_INCOMPATIBLE', message: expect.stringMatching(/model 999/), hint: expect.stringMatching(/bulwark db update/) }),
    );
  });
});

describe.skipIf(!SNAPSHOT)('an interrupted update', () => {
  it('leaves the previous database in use, and the next update recovers', async () => {
    const cacheDir = tmpDir('kill');
    const bin = path.join(REPO_ROOT, 'bin/bulwark.js');
    await updateDatabase({ cacheDir, source: VULNDATA_DIR, ecosystems: ['Packagist'] });
    const before = AdvisoryDbReader.open(databasePath(cacheDir));
    const countBefore = before.status().ecosystems.Packagist;
    before.close();
    // Import the large npm export in a child process and kill it once it is writing the new database.
    const child = spawn(process.execPath, [bin, '--cache-dir', cacheDir, 'db', 'update', '--source', VULNDATA_DIR, '--ecosystem', 'npm'], { stdio: 'ignore' });
    const dbDir = path.dirname(databasePath(cacheDir));
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (fs.readdirSync(dbDir).some((f) => f.includes('.tmp-'))) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        } else if (Date.now() - started > 30_000) {
          clearInterval(poll);
          child.kill('SIGKILL');
          reject(new Error('the update never started writing'));
        }
      }, 20);
    });
    await new Promise((r) => child.once('exit', r));
    const after = AdvisoryDbReader.open(databasePath(cacheDir));
    expect(after.status().ecosystems).toEqual({ Packagist: countBefore });
    after.close();
    // The stale lock and temp file of the killed process do not block the next update.
    const next = await updateDatabase({ cacheDir, source: VULNDATA_DIR, ecosystems: ['npm'] });
    expect(next.outcomes[0]?.result).toBe('imported');
    expect(fs.readdirSync(dbDir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 120_000);
});
