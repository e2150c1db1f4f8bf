import type { KubeConfig, V1ObjectMeta, V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { AppsV1Api, BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { BulwarkError, describeError } from '../../core/errors.js';
import { tryParseReference } from '../../source/registry/reference.js';

/** One container of one pod, resolved to the workload that owns it and the image digest it runs. */
export interface ImageUse {
  namespace: string;
  pod: string;
  /** The top owner: Deployment, StatefulSet, DaemonSet, CronJob, Job, ReplicaSet (no Deployment), or Pod (bare). */
  workload: { kind: string; name: string };
  container: string;
  /** The image as the pod spec names it. */
  image: string;
  /** Normalized host/repository of the running image, when its imageID names one. */
  repository: string | null;
  registry: string | null;
  /** The manifest digest from the status imageID (what actually runs), or null when unknown. */
  digest: string | null;
  /** Why there is no digest (not started yet, a local image id without a repository). */
  unresolved?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * The digest a container runs, from `status.containerStatuses[].imageID`: `docker-pullable://repo@sha256:…`
 * (dockershim), `repo@sha256:…` (containerd, CRI-O), or a bare `sha256:…` image id (a local image: no
 * repository digest, nothing to pull).
 */
export function parseImageId(imageId: string): { registry: string; repository: string; digest: string } | undefined {
  const id = imageId.replace(/^docker-pullable:\/\//, '').replace(/^docker:\/\//, '');
  const at = id.lastIndexOf('@');
  if (at <= 0) return undefined;
  const digest = id.slice(at + 1);
  if (!DIGEST.test(digest)) return undefined;
  const ref = tryParseReference(id.slice(0, at));
  if (!ref) return undefined;
  return { registry: ref.registry, repository: ref.repository, digest };
}

function controller(meta: V1ObjectMeta | undefined): V1OwnerReference | undefined {
  const refs = meta?.ownerReferences ?? [];
  return refs.find((r) => r.controller === true) ?? refs[0];
}

async function allPages<T>(page: (cont: string | undefined) => Promise<{ items: T[]; metadata?: { _continue?: string } }>): Promise<T[]> {
  const out: T[] = [];
  let cont: string | undefined;
  do {
    const r = await page(cont);
    out.push(...r.items);
    cont = r.metadata?._continue || undefined;
  } while (cont);
  return out;
}

type Owners = Map<string, V1OwnerReference | undefined>;

/**
 * Lists pods and the workloads that own them (ReplicaSets -> Deployments, Jobs -> CronJobs, StatefulSets,
 * DaemonSets) across all namespaces (or one), and resolves every container to its image digest. Read-only:
 * get/list on pods, replicasets, deployments, statefulsets, daemonsets, jobs, cronjobs.
 */
export async function k8sInventory(kc: KubeConfig, opts: { namespace?: string } = {}): Promise<ImageUse[]> {
  try {
    return await listUses(kc, opts);
  } catch (e) {
    if (e instanceof BulwarkError) throw e;
    throw new BulwarkError('BULWARK_E_IO', `Kubernetes API at ${kc.getCurrentCluster()?.server ?? '(no cluster)'}: ${describeError(e)}`, {
      cause: e,
      hint: 'check the kubeconfig (server, credentials) and that the account may get/list pods, replicasets and jobs',
    });
  }
}

async function listUses(kc: KubeConfig, opts: { namespace?: string }): Promise<ImageUse[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const ns = opts.namespace;
  const limit = 500;
  const pods = await allPages<V1Pod>((c) => (ns ? core.listNamespacedPod({ namespace: ns, limit, _continue: c }) : core.listPodForAllNamespaces({ limit, _continue: c })));
  const rs = await allPages((c) => (ns ? apps.listNamespacedReplicaSet({ namespace: ns, limit, _continue: c }) : apps.listReplicaSetForAllNamespaces({ limit, _continue: c })));
  const jobs = await allPages((c) => (ns ? batch.listNamespacedJob({ namespace: ns, limit, _continue: c }) : batch.listJobForAllNamespaces({ limit, _continue: c })));
  const owners: Owners = new Map();
  for (const o of rs) owners.set(`ReplicaSet/${o.metadata?.namespace}/${o.metadata?.name}`, controller(o.metadata));
  for (const o of jobs) owners.set(`Job/${o.metadata?.namespace}/${o.metadata?.name}`, controller(o.metadata));

  const top = (namespace: string, pod: V1Pod): { kind: string; name: string } => {
    let cur: { kind: string; name: string } = { kind: 'Pod', name: pod.metadata?.name ?? '' };
    let ref = controller(pod.metadata);
    for (let depth = 0; ref && depth < 4; depth++) {
      cur = { kind: ref.kind, name: ref.name };
      ref = owners.get(`${ref.kind}/${namespace}/${ref.name}`);
    }
    return cur;
  };

  const out: ImageUse[] = [];
  for (const pod of pods) {
    const namespace = pod.metadata?.namespace ?? 'default';
    const workload = top(namespace, pod);
    const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
    for (const c of specs) {
      const st = statuses.find((s) => s.name === c.name);
      const parsed = st?.imageID ? parseImageId(st.imageID) : undefined;
      const use: ImageUse = {
        namespace,
        pod: pod.metadata?.name ?? '',
        workload,
        container: c.name,
        image: c.image ?? st?.image ?? '',
        registry: parsed?.registry ?? null,
        repository: parsed ? `${parsed.registry}/${parsed.repository}` : null,
        digest: parsed?.digest ?? null,
      };
      if (!parsed) use.unresolved = !st?.imageID ? 'no imageID in the pod status yet (not started)' : `imageID ${st.imageID} names no repository digest (a local image)`;
      out.push(use);
    }
  }
  return out;
}
