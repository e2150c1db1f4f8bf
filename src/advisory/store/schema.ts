/**
 * The advisory database: search tables plus JSON blobs (grype v6), keyed the way matching asks:
 * (ecosystem incl. distro release, package lookup name). Only the importer writes it; everything
 * else opens it read-only.
 *
 * A change that readers cannot understand bumps MODEL; readers refuse a database of another model.
 */
export const MODEL = 2;

export const DB_FILE = 'advisories.db';

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- One row per feed: an OSV ecosystem export, one Alpine release, a Debian source.
CREATE TABLE IF NOT EXISTS feed (
  id            TEXT PRIMARY KEY,      -- 'osv/npm', 'alpine/v3.11', 'debian/tracker', 'debian/dsa'
  kind          TEXT NOT NULL,         -- 'osv' | 'alpine-secdb' | 'debian-tracker' | 'debian-list'
  source        TEXT NOT NULL,         -- URL or path last fetched
  status        TEXT NOT NULL,         -- 'ok' | 'failed' | 'missing'
  error         TEXT,                  -- why the last attempt failed (data of the last good import is kept)
  input_digest  TEXT,                  -- sha256 of the imported input
  validators    TEXT,                  -- JSON: per input, the ETag / Last-Modified of the last download
  fetched_at    TEXT,                  -- last time the input was fetched or confirmed unchanged
  imported_at   TEXT,                  -- last time its rows were replaced
  attempted_at  TEXT,
  records       INTEGER NOT NULL DEFAULT 0,
  skipped       INTEGER NOT NULL DEFAULT 0,
  skipped_sample TEXT,                 -- JSON: a few reasons, for the status output
  cursor        TEXT                   -- incremental feeds (NVD API): where the next update starts
);

CREATE TABLE IF NOT EXISTS advisory (
  pk              INTEGER PRIMARY KEY,
  feed_id         TEXT NOT NULL,
  id              TEXT NOT NULL,
  published       TEXT,
  modified        TEXT,
  withdrawn       TEXT,
  summary         TEXT,
  severity        TEXT NOT NULL,       -- normalized: CRITICAL HIGH MEDIUM LOW UNKNOWN
  severity_source TEXT,
  cvss_score      REAL,
  cvss_vector     TEXT,
  data            TEXT NOT NULL,       -- JSON: aliases, related, details, severities, references
  UNIQUE (feed_id, id)
);
CREATE INDEX IF NOT EXISTS advisory_id ON advisory (id);

CREATE TABLE IF NOT EXISTS alias (
  alias       TEXT NOT NULL,
  advisory_pk INTEGER NOT NULL,
  PRIMARY KEY (alias, advisory_pk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS alias_advisory ON alias (advisory_pk);

-- What an advisory affects. Withdrawn advisories have no rows here, so they are never matched.
CREATE TABLE IF NOT EXISTS affected (
  advisory_pk INTEGER NOT NULL,
  ecosystem   TEXT NOT NULL,           -- 'npm', 'Debian:12', 'Alpine:v3.11'
  name        TEXT NOT NULL,           -- packageLookupName(ecosystem, name)
  data        TEXT NOT NULL            -- JSON AffectedPackage
);
CREATE INDEX IF NOT EXISTS affected_lookup ON affected (ecosystem, name);
CREATE INDEX IF NOT EXISTS affected_advisory ON affected (advisory_pk);

-- NVD (CVE API 2.0): one row per CVE, its CVSS metrics and its CWEs. Read by severity resolution.
CREATE TABLE IF NOT EXISTS cve (
  id            TEXT PRIMARY KEY,      -- 'CVE-2024-45337'
  feed_id       TEXT NOT NULL,         -- 'nvd'
  published     TEXT,
  last_modified TEXT,
  vuln_status   TEXT,
  description   TEXT
);
CREATE TABLE IF NOT EXISTS cve_metric (
  cve_id   TEXT NOT NULL,
  version  TEXT NOT NULL,              -- '4.0' | '3.1' | '3.0' | '2.0'
  source   TEXT NOT NULL,              -- 'nvd@nist.gov', a CNA
  type     TEXT NOT NULL,              -- 'Primary' | 'Secondary'
  vector   TEXT NOT NULL,
  score    REAL NOT NULL,
  severity TEXT NOT NULL               -- normalized from the score
);
CREATE INDEX IF NOT EXISTS cve_metric_cve ON cve_metric (cve_id);
CREATE TABLE IF NOT EXISTS cve_weakness (
  cve_id TEXT NOT NULL,
  cwe    TEXT NOT NULL,                -- 'CWE-79', 'NVD-CWE-noinfo'
  source TEXT NOT NULL,
  type   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cve_weakness_cve ON cve_weakness (cve_id);
`;
