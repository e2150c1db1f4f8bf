import type { Kysely } from 'kysely';
import type { Database } from './types.js';
import { now } from './util.js';

export interface WorkloadImage {
  cluster: string;
  namespace: string;
  workloadKind: string;
  workloadName: string;
  container: string;
  image: string;
  digest: string;
  jobId: number | null;
}

/** A workload's container, its image digest, and the findings of that digest's scan. */
export interface WorkloadView {
  cluster: string;
  namespace: string;
  workload: { kind: string; name: string };
  container: string;
  image: string;
  digest: string;
  lastSeenAt: string;
  job: { id: number; status: string } | null;
  scan: { id: number; project: string; findings: number; open: { critical: number; high: number; medium: number; low: number; unknown: number } } | null;
}

/** Kubernetes containers -> image digests -> scans: findings mapped back to namespace/workload/container. */
export class K8sWorkloadRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async record(w: WorkloadImage): Promise<void> {
    const t = now();
    await this.db
      .insertInto('k8s_workloads')
      .values({ cluster: w.cluster, namespace: w.namespace, workload_kind: w.workloadKind, workload_name: w.workloadName, container: w.container, image: w.image, digest: w.digest, job_id: w.jobId, first_seen_at: t, last_seen_at: t })
      .onConflict((oc) => oc.columns(['cluster', 'namespace', 'workload_kind', 'workload_name', 'container', 'digest']).doUpdateSet({ last_seen_at: t, job_id: w.jobId }))
      .execute();
  }

  async list(filter: { namespace?: string } = {}): Promise<WorkloadView[]> {
    let q = this.db
      .selectFrom('k8s_workloads as w')
      .leftJoin('scan_jobs as j', 'j.id', 'w.job_id')
      .leftJoin('ingest_queue as q', 'q.id', 'j.ingest_id')
      .leftJoin('scans as s', 's.id', 'q.scan_id')
      .leftJoin('projects as p', 'p.id', 's.project_id')
      .select([
        'w.cluster', 'w.namespace', 'w.workload_kind', 'w.workload_name', 'w.container', 'w.image', 'w.digest', 'w.last_seen_at',
        'j.id as job_id', 'j.status as job_status', 's.id as scan_id', 'p.name as project', 's.finding_count', 's.open_critical', 's.open_high', 's.open_medium', 's.open_low', 's.open_unknown',
      ]);
    if (filter.namespace) q = q.where('w.namespace', '=', filter.namespace);
    const rows = await q.orderBy('w.namespace').orderBy('w.workload_name').orderBy('w.container').execute();
    return rows.map((r) => ({
      cluster: r.cluster,
      namespace: r.namespace,
      workload: { kind: r.workload_kind, name: r.workload_name },
      container: r.container,
      image: r.image,
      digest: r.digest,
      lastSeenAt: r.last_seen_at,
      job: r.job_id !== null && r.job_status !== null ? { id: r.job_id, status: r.job_status } : null,
      scan:
        r.scan_id !== null && r.project !== null
          ? { id: r.scan_id, project: r.project, findings: r.finding_count ?? 0, open: { critical: r.open_critical ?? 0, high: r.open_high ?? 0, medium: r.open_medium ?? 0, low: r.open_low ?? 0, unknown: r.open_unknown ?? 0 } }
          : null,
    }));
  }
}
