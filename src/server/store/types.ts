import type { Generated } from 'kysely';
import type { ScanSummary } from './rows.js';

/**
 * The server's schema, identical on SQLite and PostgreSQL. Booleans are integers (0/1) and timestamps are
 * ISO-8601 UTC strings on both engines, so one query layer reads both the same way.
 */
export interface Database {
  teams: { id: Generated<number>; name: string; created_at: string };
  users: { id: Generated<number>; name: string; role: 'admin' | 'member'; created_at: string };
  team_members: { team_id: number; user_id: number };
  api_keys: { id: Generated<number>; user_id: number; key_hash: string; created_at: string; revoked_at: string | null };
  sessions: { id_hash: string; user_id: number; created_at: string; expires_at: string };
  projects: {
    id: Generated<number>;
    name: string;
    team_id: number | null;
    created_at: string;
    /** The newest stored scan; its findings are the project's open findings. */
    latest_scan_id: number | null;
  };
  ingest_tokens: {
    id: Generated<number>;
    project_id: number;
    token_hash: string;
    created_at: string;
    revoked_at: string | null;
    last_used_at: string | null;
  };
  ingest_queue: {
    id: Generated<number>;
    project_id: number;
    token_id: number | null;
    idempotency_key: string | null;
    body_hash: string;
    /** The report as received; emptied (null) once stored as a scan. */
    body: string | null;
    status: 'queued' | 'processing' | 'done' | 'failed';
    attempts: number;
    lease_owner: string | null;
    lease_until: string | null;
    scan_id: number | null;
    error: string | null;
    created_at: string;
    updated_at: string;
    /** After a failed attempt: not claimed again before this time (exponential back-off). */
    next_attempt_at: string | null;
  };
  /** Admin actions, newest last: who (user name), what, on what. */
  audit_log: { id: Generated<number>; at: string; actor: string; action: string; target: string; details: string | null };
  scans: {
    id: Generated<number>;
    project_id: number;
    queue_id: number | null;
    report_created_at: string;
    received_at: string;
    target_kind: string;
    target_name: string;
    tool_version: string;
    /** JSON of the report's tool.importedFrom ({format, scanner, scannerVersion?, file?}); null for Bulwark's own reports. */
    imported_from: string | null;
    schema_version: string;
    gate_passed: number;
    gate_fail_on: string;
    gate_profile: string | null;
    gate_reason: string;
    /** The scan whose scan_packages rows hold this scan's inventory when it is the same as an earlier one's; null: its own rows. */
    packages_scan_id: number | null;
    /** sha1 of the inventory (the report's packages as JSON, in order), to find that it is unchanged. */
    package_set_hash: string | null;
    /** sha1 of the scan's finding rows (keys and content): a re-scan with the same findings as the project's latest scan compares none. */
    findings_hash: string | null;
  } & ScanSummary;
  packages: {
    id: Generated<number>;
    project_id: number;
    purl: string;
    ecosystem: string;
    name: string;
    version: string;
    first_seen_scan_id: number;
    /** The scan that last wrote the row; for an open package the project's latest scan holds it too. */
    last_seen_scan_id: number;
    /** 1 while the project's latest scan holds it (written by the scans that change it, not by every scan). */
    is_open: number;
  };
  findings: {
    id: Generated<number>;
    project_id: number;
    /** finding id + " " + package purl: what makes it "the same finding" across scans. */
    fingerprint: string;
    vuln_id: string;
    aliases: string;
    package_purl: string;
    package_ecosystem: string;
    package_name: string;
    package_version: string;
    severity: string;
    severity_rank: number;
    fixable: number;
    fixed_version: string | null;
    fix_state: string;
    title: string | null;
    suppressed: number;
    suppressed_by: string | null;
    dev: number;
    first_seen_at: string;
    last_seen_at: string;
    first_seen_scan_id: number;
    last_seen_scan_id: number;
    /** A hash of the finding's content (all but the fingerprint and first/last seen): a re-scan that finds it unchanged leaves the row alone. */
    content_hash: string | null;
    /** 1 while the project's latest scan has it; last_seen_* are then that scan's (they are written when it closes). */
    is_open: number;
  };
  /** Registries the server scans (issue 15). credentials: AES-256-GCM sealed JSON {username, password}. */
  registries: {
    id: Generated<number>;
    name: string;
    url: string;
    insecure: number;
    credentials: string | null;
    webhook_secret_hash: string;
    /** JSON [{glob, project}] in order: the first match names the project. */
    project_rules: string;
    watch_interval_s: number | null;
    last_watch_at: string | null;
    created_at: string;
  };
  registry_tags: { id: Generated<number>; registry_id: number; repository: string; tag: string; digest: string; seen_at: string };
  /** Image scan jobs: one per image (registry host/repository) and digest. */
  scan_jobs: {
    id: Generated<number>;
    registry_id: number | null;
    /** host[:port]/repository, the image without tag or digest. */
    image: string;
    repository: string;
    digest: string;
    project_id: number;
    /** webhook:<kind> | watch | k8s | api */
    source: string;
    status: 'queued' | 'processing' | 'done' | 'dead';
    attempts: number;
    lease_owner: string | null;
    lease_until: string | null;
    next_attempt_at: string | null;
    error: string | null;
    /** The ingest queue entry its report became. */
    ingest_id: number | null;
    created_at: string;
    updated_at: string;
  };
  /** Containers seen running in Kubernetes and the digest (scan job) each runs. */
  k8s_workloads: {
    id: Generated<number>;
    cluster: string;
    namespace: string;
    workload_kind: string;
    workload_name: string;
    container: string;
    image: string;
    digest: string;
    job_id: number | null;
    first_seen_at: string;
    last_seen_at: string;
  };
  // ---- notifications (020_notify_*) ----
  notify_channels: { id: Generated<number>; name: string; type: string; options: string; secrets: string; rules: string; created_at: string; updated_at: string };
  notify_cursor: { name: string; cursor: string | null };
  notify_sent: { channel_id: number; fingerprint: string; state: string };
  notify_tickets: { channel_id: number; ticket_key: string; state: string; updated_at: string };
  notify_deliveries: {
    id: Generated<number>;
    channel_id: number;
    idempotency_key: string;
    kind: 'message' | 'ticket';
    project_name: string;
    recipient: string | null;
    payload: string;
    events: number;
    status: 'pending' | 'done' | 'dead';
    attempts: number;
    next_attempt_at: string;
    last_error: string | null;
    created_at: string;
    updated_at: string;
  };
  /** Every id a finding is known by (its own id and its aliases), for cross-project search. */
  finding_aliases: { project_id: number; fingerprint: string; alias: string };
  /** Monitoring (issue 13): inventories, the server's own findings, the events outbox, advisory refreshes, jobs. */
  scan_packages: { scan_id: number; ecosystem: string; key_name: string; name: string; version: string; purl: string; data: string };
  inventories: {
    id: Generated<number>;
    project_id: number;
    target: string;
    scan_id: number;
    updated_at: string;
    gate_passed: number | null;
    gate_reason: string | null;
    gate_profile: string | null;
    evaluated_at: string | null;
  };
  monitor_findings: {
    id: Generated<number>;
    inventory_id: number;
    project_id: number;
    fingerprint: string;
    state: 'open' | 'fixed' | 'suppressed';
    advisory_id: string;
    aliases: string;
    ecosystem: string;
    key_name: string;
    name: string;
    version: string;
    purl: string;
    severity: string;
    fixed_version: string | null;
    title: string | null;
    suppression_reason: string | null;
    suppression_by: string | null;
    suppression_expires: string | null;
    first_seen_at: string;
    last_seen_at: string;
    changed_at: string;
    cause_kind: string;
    cause_id: string | null;
  };
  events: { id: Generated<number>; kind: string; fingerprint: string; project_id: number; occurred_at: string; payload: string };
  advisory_refreshes: {
    id: Generated<number>;
    started_at: string;
    finished_at: string | null;
    source: string;
    status: 'running' | 'done' | 'failed';
    added: Generated<number>;
    modified: Generated<number>;
    withdrawn: Generated<number>;
    keys: Generated<number>;
    inventories: Generated<number>;
    detail: string | null;
  };
  advisory_hashes: { feed_id: string; advisory_id: string; hash: string; keys: string };
  refresh_keys: { refresh_id: number; ecosystem: string; key_name: string };
  monitor_jobs: {
    id: Generated<number>;
    inventory_id: number;
    cause_kind: 'scan' | 'db-refresh' | 'profile' | 'expiry';
    cause_id: string | null;
    refresh_id: number | null;
    status: 'queued' | 'done' | 'failed';
    attempts: Generated<number>;
    lease_owner: string | null;
    lease_until: string | null;
    error: string | null;
    created_at: string;
    done_at: string | null;
  };
  monitor_state: { key: string; value: string };
  export_cursors: { name: string; position: string; updated_at: string };
  // ---- merge-request notes and expiring exceptions (050_notify_mr_expiring) ----
  mr_jobs: {
    id: Generated<number>;
    project_id: number;
    scan_id: number;
    target: string;
    /** The report's `ci` block, JSON. */
    ci: string;
    status: 'queued' | 'done' | 'skipped' | 'dead';
    attempts: Generated<number>;
    next_attempt_at: string;
    lease_owner: string | null;
    lease_until: string | null;
    outcome: string | null;
    error: string | null;
    created_at: string;
    done_at: string | null;
  };
  mr_notes: { channel_id: number; mr_key: string; note_id: string; body_hash: string; updated_at: string };
  monitor_expiring: { finding_id: number; exception_key: string; emitted_at: string };
  /** 050_slack_threads: each project's digest thread in a Slack channel (bot token). */
  slack_threads: { channel_id: number; project_id: number; slack_channel: string; thread_ts: string; created_at: string };
}
