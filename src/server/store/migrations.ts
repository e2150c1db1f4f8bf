import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { Migrator, sql } from 'kysely';

export type Engine = 'sqlite' | 'postgres';

/**
 * Versioned migrations. Append new ones (002_…, 003_…); never edit one that has shipped. The same code
 * runs on both engines; the only difference is how an auto-increment key is spelled.
 */
function migrations(engine: Engine): Record<string, Migration> {
  const id = engine === 'postgres' ? 'serial' : 'integer';
  // Migrations only use the schema builder, which does not depend on the table types.
  type Db = Kysely<unknown>;
  const auto = <T extends { primaryKey(): T; autoIncrement(): T }>(c: T): T => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
  return {
    '001_initial': {
      async up(db: Db): Promise<void> {
        await db.schema
          .createTable('teams')
          .addColumn('id', id, auto)
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('users')
          .addColumn('id', id, auto)
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('team_members')
          .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id').onDelete('cascade'))
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
          .execute();
        await db.schema
          .createTable('api_keys')
          .addColumn('id', id, auto)
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('key_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text')
          .execute();
        await db.schema
          .createTable('sessions')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('projects')
          .addColumn('id', id, auto)
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('team_id', 'integer', (c) => c.references('teams.id').onDelete('set null'))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('latest_scan_id', 'integer')
          .execute();
        await db.schema.createIndex('projects_team').on('projects').column('team_id').execute();
        await db.schema
          .createTable('ingest_tokens')
          .addColumn('id', id, auto)
          .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text')
          .addColumn('last_used_at', 'text')
          .execute();
        await db.schema
          .createTable('ingest_queue')
          .addColumn('id', id, auto)
          .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('token_id', 'integer')
          .addColumn('idempotency_key', 'text')
          .addColumn('body_hash', 'text', (c) => c.notNull())
          .addColumn('body', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('lease_owner', 'text')
          .addColumn('lease_until', 'text')
          .addColumn('scan_id', 'integer')
          .addColumn('error', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        // Replays: the same Idempotency-Key, or the same body, for one project is one queue entry.
        await db.schema.createIndex('ingest_queue_key').on('ingest_queue').columns(['project_id', 'idempotency_key']).unique().execute();
        await db.schema.createIndex('ingest_queue_hash').on('ingest_queue').columns(['project_id', 'body_hash']).unique().execute();
        await db.schema.createIndex('ingest_queue_claim').on('ingest_queue').columns(['status', 'id']).execute();
        await db.schema
          .createTable('scans')
          .addColumn('id', id, auto)
          .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('queue_id', 'integer', (c) => c.unique())
          .addColumn('report_created_at', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('target_kind', 'text', (c) => c.notNull())
          .addColumn('target_name', 'text', (c) => c.notNull())
          .addColumn('tool_version', 'text', (c) => c.notNull())
          .addColumn('schema_version', 'text', (c) => c.notNull())
          .addColumn('gate_passed', 'integer', (c) => c.notNull())
          .addColumn('gate_fail_on', 'text', (c) => c.notNull())
          .addColumn('gate_profile', 'text')
          .addColumn('gate_reason', 'text', (c) => c.notNull())
          .addColumn('package_count', 'integer', (c) => c.notNull())
          .addColumn('finding_count', 'integer', (c) => c.notNull())
          .addColumn('open_critical', 'integer', (c) => c.notNull())
          .addColumn('open_high', 'integer', (c) => c.notNull())
          .addColumn('open_medium', 'integer', (c) => c.notNull())
          .addColumn('open_low', 'integer', (c) => c.notNull())
          .addColumn('open_unknown', 'integer', (c) => c.notNull())
          .addColumn('suppressed_count', 'integer', (c) => c.notNull())
          .addColumn('fixable_count', 'integer', (c) => c.notNull())
          .addColumn('worst_rank', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('scans_project').on('scans').columns(['project_id', 'id']).execute();
        await db.schema
          .createTable('packages')
          .addColumn('id', id, auto)
          .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('purl', 'text', (c) => c.notNull())
          .addColumn('ecosystem', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('first_seen_scan_id', 'integer', (c) => c.notNull())
          .addColumn('last_seen_scan_id', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('packages_project_purl').on('packages').columns(['project_id', 'purl']).unique().execute();
        await db.schema.createIndex('packages_name').on('packages').columns(['name']).execute();
        await db.schema
          .createTable('findings')
          .addColumn('id', id, auto)
          .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('vuln_id', 'text', (c) => c.notNull())
          .addColumn('aliases', 'text', (c) => c.notNull())
          .addColumn('package_purl', 'text', (c) => c.notNull())
          .addColumn('package_ecosystem', 'text', (c) => c.notNull())
          .addColumn('package_name', 'text', (c) => c.notNull())
          .addColumn('package_version', 'text', (c) => c.notNull())
          .addColumn('severity', 'text', (c) => c.notNull())
          .addColumn('severity_rank', 'integer', (c) => c.notNull())
          .addColumn('fixable', 'integer', (c) => c.notNull())
          .addColumn('fixed_version', 'text')
          .addColumn('fix_state', 'text', (c) => c.notNull())
          .addColumn('title', 'text')
          .addColumn('suppressed', 'integer', (c) => c.notNull())
          .addColumn('suppressed_by', 'text')
          .addColumn('dev', 'integer', (c) => c.notNull())
          .addColumn('first_seen_at', 'text', (c) => c.notNull())
          .addColumn('last_seen_at', 'text', (c) => c.notNull())
          .addColumn('first_seen_scan_id', 'integer', (c) => c.notNull())
          .addColumn('last_seen_scan_id', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('findings_project_fp').on('findings').columns(['project_id', 'fingerprint']).unique().execute();
        // The project page: open findings (last seen in the latest scan) by severity.
        await db.schema
          .createIndex('findings_open')
          .on('findings')
          .columns(['project_id', 'last_seen_scan_id', 'severity_rank', 'id'])
          .execute();
        await db.schema.createIndex('findings_package').on('findings').columns(['package_name']).execute();
        await db.schema
          .createTable('finding_aliases')
          .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('alias', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('finding_aliases_pk', ['project_id', 'fingerprint', 'alias'])
          .execute();
        await db.schema.createIndex('finding_aliases_alias').on('finding_aliases').columns(['alias']).execute();
      },
    },
    '002_queue_backoff_audit': {
      async up(db: Db): Promise<void> {
        // A failed attempt waits until next_attempt_at (exponential back-off) before it is claimed again.
        await db.schema.alterTable('ingest_queue').addColumn('next_attempt_at', 'text').execute();
        await db.schema.createIndex('ingest_queue_failed').on('ingest_queue').columns(['status', 'updated_at']).execute();
        // Who did what: every admin change (users, keys, members, sessions, projects, tokens, queue retries).
        await db.schema
          .createTable('audit_log')
          .addColumn('id', id, auto)
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('details', 'text')
          .execute();
      },
    },
    '003_scan_imported_from': {
      async up(db: Db): Promise<void> {
        // Another scanner's report converted on upload: which scanner (format, name, version) the findings are from.
        await db.schema.alterTable('scans').addColumn('imported_from', 'text').execute();
      },
    },
    '030_registry_init': {
      async up(db: Db): Promise<void> {
        // Registries scanned by the server: credentials encrypted (AES-256-GCM), the webhook secret hashed.
        await db.schema
          .createTable('registries')
          .addColumn('id', id, auto)
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('url', 'text', (c) => c.notNull())
          .addColumn('insecure', 'integer', (c) => c.notNull())
          .addColumn('credentials', 'text')
          .addColumn('webhook_secret_hash', 'text', (c) => c.notNull())
          .addColumn('project_rules', 'text', (c) => c.notNull())
          .addColumn('watch_interval_s', 'integer')
          .addColumn('last_watch_at', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        // Tags over time: each (repository, tag) -> digest observation, newest last (a moved tag adds a row).
        await db.schema
          .createTable('registry_tags')
          .addColumn('id', id, auto)
          .addColumn('registry_id', 'integer', (c) => c.notNull().references('registries.id').onDelete('cascade'))
          .addColumn('repository', 'text', (c) => c.notNull())
          .addColumn('tag', 'text', (c) => c.notNull())
          .addColumn('digest', 'text', (c) => c.notNull())
          .addColumn('seen_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('registry_tags_unique').on('registry_tags').columns(['registry_id', 'repository', 'tag', 'digest']).unique().execute();
        // One scan job per (registry, repository, digest): the same event twice, or a digest under a new tag, is one job.
        await db.schema
          .createTable('scan_jobs')
          .addColumn('id', id, auto)
          .addColumn('registry_id', 'integer', (c) => c.references('registries.id').onDelete('cascade'))
          .addColumn('image', 'text', (c) => c.notNull())
          .addColumn('repository', 'text', (c) => c.notNull())
          .addColumn('digest', 'text', (c) => c.notNull())
          .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('lease_owner', 'text')
          .addColumn('lease_until', 'text')
          .addColumn('next_attempt_at', 'text')
          .addColumn('error', 'text')
          .addColumn('ingest_id', 'integer')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('scan_jobs_image').on('scan_jobs').columns(['image', 'digest']).unique().execute();
        await db.schema.createIndex('scan_jobs_claim').on('scan_jobs').columns(['status', 'id']).execute();
      },
    },
    '030_registry_k8s': {
      async up(db: Db): Promise<void> {
        // What runs in Kubernetes: each container of each workload and the image digest it runs (its scan job).
        await db.schema
          .createTable('k8s_workloads')
          .addColumn('id', id, auto)
          .addColumn('cluster', 'text', (c) => c.notNull())
          .addColumn('namespace', 'text', (c) => c.notNull())
          .addColumn('workload_kind', 'text', (c) => c.notNull())
          .addColumn('workload_name', 'text', (c) => c.notNull())
          .addColumn('container', 'text', (c) => c.notNull())
          .addColumn('image', 'text', (c) => c.notNull())
          .addColumn('digest', 'text', (c) => c.notNull())
          .addColumn('job_id', 'integer', (c) => c.references('scan_jobs.id').onDelete('set null'))
          .addColumn('first_seen_at', 'text', (c) => c.notNull())
          .addColumn('last_seen_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('k8s_workloads_unique').on('k8s_workloads').columns(['cluster', 'namespace', 'workload_kind', 'workload_name', 'container', 'digest']).unique().execute();
        await db.schema.createIndex('k8s_workloads_job').on('k8s_workloads').columns(['job_id']).execute();
      },
    },
    '020_notify_channels': {
      async up(db: Db): Promise<void> {
        // Notification channels; `secrets` is sealed (AES-256-GCM, BULWARK_SECRET_KEY), never plaintext.
        await db.schema
          .createTable('notify_channels')
          .addColumn('id', id, auto)
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('options', 'text', (c) => c.notNull())
          .addColumn('secrets', 'text', (c) => c.notNull())
          .addColumn('rules', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        // Where the notifier is in the event feed.
        await db.schema.createTable('notify_cursor').addColumn('name', 'text', (c) => c.primaryKey()).addColumn('cursor', 'text').execute();
        // The last state of each finding a channel was told about: the same event twice is not sent twice.
        await db.schema
          .createTable('notify_sent')
          .addColumn('channel_id', 'integer', (c) => c.notNull().references('notify_channels.id').onDelete('cascade'))
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('notify_sent_pk', ['channel_id', 'fingerprint'])
          .execute();
        // Each ticket's findings (GitLab/Jira), kept in step with the events.
        await db.schema
          .createTable('notify_tickets')
          .addColumn('channel_id', 'integer', (c) => c.notNull().references('notify_channels.id').onDelete('cascade'))
          .addColumn('ticket_key', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('notify_tickets_pk', ['channel_id', 'ticket_key'])
          .execute();
        // The outbox of deliveries: at-least-once, with an idempotency key, back-off and a dead-letter state.
        await db.schema
          .createTable('notify_deliveries')
          .addColumn('id', id, auto)
          .addColumn('channel_id', 'integer', (c) => c.notNull().references('notify_channels.id').onDelete('cascade'))
          .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('project_name', 'text', (c) => c.notNull())
          .addColumn('recipient', 'text')
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('events', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_attempt_at', 'text', (c) => c.notNull())
          .addColumn('last_error', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('notify_deliveries_due').on('notify_deliveries').columns(['status', 'next_attempt_at']).execute();
      },
    },
    '010_monitor_core': {
      async up(db: Db): Promise<void> {
        // Every stored scan keeps its inventory; `key_name` is the advisory database's lookup key for the package.
        await db.schema
          .createTable('scan_packages')
          .addColumn('scan_id', 'integer', (c) => c.notNull().references('scans.id').onDelete('cascade'))
          .addColumn('ecosystem', 'text', (c) => c.notNull())
          .addColumn('key_name', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('purl', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('scan_packages_key').on('scan_packages').columns(['ecosystem', 'key_name', 'scan_id']).execute();
        await db.schema.createIndex('scan_packages_scan').on('scan_packages').columns(['scan_id']).execute();
        // The current state: the newest scan per (project, target).
        await db.schema
          .createTable('inventories')
          .addColumn('id', id, auto)
          .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('scan_id', 'integer', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('gate_passed', 'integer')
          .addColumn('gate_reason', 'text')
          .addColumn('gate_profile', 'text')
          .addColumn('evaluated_at', 'text')
          .execute();
        await db.schema.createIndex('inventories_target').on('inventories').columns(['project_id', 'target']).unique().execute();
        await db.schema.createIndex('inventories_scan').on('inventories').columns(['scan_id']).execute();
        // The server's own findings and their lifecycle, per (inventory = project + target, advisory, package).
        await db.schema
          .createTable('monitor_findings')
          .addColumn('id', id, auto)
          .addColumn('inventory_id', 'integer', (c) => c.notNull().references('inventories.id').onDelete('cascade'))
          .addColumn('project_id', 'integer', (c) => c.notNull())
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('advisory_id', 'text', (c) => c.notNull())
          .addColumn('aliases', 'text', (c) => c.notNull())
          .addColumn('ecosystem', 'text', (c) => c.notNull())
          .addColumn('key_name', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('purl', 'text', (c) => c.notNull())
          .addColumn('severity', 'text', (c) => c.notNull())
          .addColumn('fixed_version', 'text')
          .addColumn('title', 'text')
          .addColumn('suppression_reason', 'text')
          .addColumn('suppression_by', 'text')
          .addColumn('suppression_expires', 'text')
          .addColumn('first_seen_at', 'text', (c) => c.notNull())
          .addColumn('last_seen_at', 'text', (c) => c.notNull())
          .addColumn('changed_at', 'text', (c) => c.notNull())
          .addColumn('cause_kind', 'text', (c) => c.notNull())
          .addColumn('cause_id', 'text')
          .execute();
        await db.schema.createIndex('monitor_findings_fp').on('monitor_findings').columns(['inventory_id', 'fingerprint']).unique().execute();
        await db.schema.createIndex('monitor_findings_state').on('monitor_findings').columns(['project_id', 'state']).execute();
        // The outbox: one row per lifecycle change, written in the transaction of the change.
        await db.schema
          .createTable('events')
          .addColumn('id', id, auto)
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('project_id', 'integer', (c) => c.notNull())
          .addColumn('occurred_at', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('events_project').on('events').columns(['project_id', 'id']).execute();
        // Advisory database refreshes, the per-advisory content hashes they diff against, and the keys they touched.
        await db.schema
          .createTable('advisory_refreshes')
          .addColumn('id', id, auto)
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('finished_at', 'text')
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('added', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('modified', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('withdrawn', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('keys', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('inventories', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('detail', 'text')
          .execute();
        await db.schema
          .createTable('advisory_hashes')
          .addColumn('feed_id', 'text', (c) => c.notNull())
          .addColumn('advisory_id', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('keys', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('advisory_hashes_pk', ['feed_id', 'advisory_id'])
          .execute();
        await db.schema
          .createTable('refresh_keys')
          .addColumn('refresh_id', 'integer', (c) => c.notNull())
          .addColumn('ecosystem', 'text', (c) => c.notNull())
          .addColumn('key_name', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('refresh_keys_pk', ['refresh_id', 'ecosystem', 'key_name'])
          .execute();
        // Re-match jobs, one per inventory and cause, leased by workers (SKIP LOCKED on PostgreSQL).
        await db.schema
          .createTable('monitor_jobs')
          .addColumn('id', id, auto)
          .addColumn('inventory_id', 'integer', (c) => c.notNull())
          .addColumn('cause_kind', 'text', (c) => c.notNull())
          .addColumn('cause_id', 'text')
          .addColumn('refresh_id', 'integer')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('lease_owner', 'text')
          .addColumn('lease_until', 'text')
          .addColumn('error', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('done_at', 'text')
          .execute();
        await db.schema.createIndex('monitor_jobs_claim').on('monitor_jobs').columns(['status', 'id']).execute();
        await db.schema.createIndex('monitor_jobs_refresh').on('monitor_jobs').columns(['refresh_id']).execute();
        await db.schema
          .createTable('monitor_state')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '040_ingest_hot_updates': {
      async up(db: Db): Promise<void> {
        // Every stored scan rewrites last_seen_scan_id on each of the project's findings. With that column in an
        // index, each of those updates wrote a new entry in all four of the table's indexes; without it (and
        // with room left on each page, PostgreSQL fillfactor) the update stays on its page (HOT) and writes no
        // index entry. The open-findings page still reads this index (project, severity, id) and filters on
        // last_seen_scan_id in the heap.
        await db.schema.dropIndex('findings_open').execute();
        await db.schema.createIndex('findings_project_severity').on('findings').columns(['project_id', 'severity_rank', 'id']).execute();
        // What a re-scan compares to leave an unchanged finding's content alone (PostgreSQL path; null before).
        await db.schema.alterTable('findings').addColumn('content_hash', 'text').execute();
        if (engine === 'postgres') {
          // New pages keep 30 % free for the next version of their rows; existing pages get it as they are rewritten.
          await sql`alter table findings set (fillfactor = 70)`.execute(db);
          await sql`alter table packages set (fillfactor = 70)`.execute(db);
        }
      },
    },
    '050_notify_mr_expiring': {
      async up(db: Db): Promise<void> {
        // A stored merge/pull request scan to answer on (note + commit status), leased by the server's MR notifier.
        await db.schema
          .createTable('mr_jobs')
          .addColumn('id', id, auto)
          .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('scan_id', 'integer', (c) => c.notNull().references('scans.id').onDelete('cascade'))
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('ci', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_attempt_at', 'text', (c) => c.notNull())
          .addColumn('lease_owner', 'text')
          .addColumn('lease_until', 'text')
          .addColumn('outcome', 'text')
          .addColumn('error', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('done_at', 'text')
          .execute();
        await db.schema.createIndex('mr_jobs_due').on('mr_jobs').columns(['status', 'next_attempt_at']).execute();
        // Bulwark's one note per merge request and channel: found again by id, its body's hash says whether it changed.
        await db.schema
          .createTable('mr_notes')
          .addColumn('channel_id', 'integer', (c) => c.notNull().references('notify_channels.id').onDelete('cascade'))
          .addColumn('mr_key', 'text', (c) => c.notNull())
          .addColumn('note_id', 'text', (c) => c.notNull())
          .addColumn('body_hash', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('mr_notes_pk', ['channel_id', 'mr_key'])
          .execute();
        // exception-expiring events already emitted: once per (finding, exception, expiry date).
        await db.schema
          .createTable('monitor_expiring')
          .addColumn('finding_id', 'integer', (c) => c.notNull().references('monitor_findings.id').onDelete('cascade'))
          .addColumn('exception_key', 'text', (c) => c.notNull())
          .addColumn('emitted_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('monitor_expiring_pk', ['finding_id', 'exception_key'])
          .execute();
      },
    },
    '050_slack_threads': {
      async up(db: Db): Promise<void> {
        // Slack with a bot token: the parent message of each project's digest thread, per channel.
        await db.schema
          .createTable('slack_threads')
          .addColumn('channel_id', 'integer', (c) => c.notNull().references('notify_channels.id').onDelete('cascade'))
          .addColumn('project_id', 'integer', (c) => c.notNull())
          .addColumn('slack_channel', 'text', (c) => c.notNull())
          .addColumn('thread_ts', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('slack_threads_pk', ['channel_id', 'project_id'])
          .execute();
      },
    },
    '060_export_cursor': {
      async up(db: Db): Promise<void> {
        // The server's sink to Elasticsearch/OpenSearch: the last outbox event the cluster answered for, per sink.
        await db.schema
          .createTable('export_cursors')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('position', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '070_open_sets': {
      async up(db: Db): Promise<void> {
        // A re-scan writes only what changed (issue 13). Whether a finding or package is in the project's latest
        // scan was "last_seen_scan_id = projects.latest_scan_id", which made every scan rewrite every row; it is
        // now a flag that a scan sets on what it adds or changes and clears on what it no longer has.
        await db.schema.alterTable('findings').addColumn('is_open', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.alterTable('packages').addColumn('is_open', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await sql`update findings set is_open = 1 where last_seen_scan_id = (select p.latest_scan_id from projects p where p.id = findings.project_id)`.execute(db);
        await sql`update packages set is_open = 1 where last_seen_scan_id = (select p.latest_scan_id from projects p where p.id = packages.project_id)`.execute(db);
        await db.schema.createIndex('findings_open_set').on('findings').columns(['project_id', 'is_open']).execute();
        await db.schema.createIndex('packages_open_set').on('packages').columns(['project_id', 'is_open']).execute();
        // A scan whose inventory is the same as its target's current one (same hash) keeps no copy of it: it
        // names the scan whose scan_packages rows hold it (null: its own rows).
        await db.schema.alterTable('scans').addColumn('packages_scan_id', 'integer').execute();
        await db.schema.alterTable('scans').addColumn('package_set_hash', 'text').execute();
        // sha1 of the report's findings: a scan with the same findings as the project's latest one compares nothing.
        await db.schema.alterTable('scans').addColumn('findings_hash', 'text').execute();
      },
    },
  };
}

export async function migrateToLatest(db: Kysely<unknown>, engine: Engine): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations(engine)) };
  const migrator = new Migrator({ db, provider, migrationTableName: 'bulwark_migrations', migrationLockTableName: 'bulwark_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
