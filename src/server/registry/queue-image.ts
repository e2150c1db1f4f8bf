import type { RegistryRow } from '../store/registries.js';
import type { Store } from '../store/store.js';
import { parseRules } from './registry-config.js';
import { projectFor } from './rules.js';

export type QueueOutcome =
  | { kind: 'queued'; jobId: number; project: string }
  | { kind: 'known'; jobId: number; project: string; status: string }
  | { kind: 'no-project'; repository: string };

/** The project a rule names, created on first use (the rule is the admin's decision to track these images). */
export async function projectId(store: Store, name: string): Promise<number> {
  const p = await store.projects.byName(name);
  if (p) return p.id;
  try {
    return await store.projects.create(name, null);
  } catch (e) {
    const again = await store.projects.byName(name); // created concurrently
    if (again) return again.id;
    throw e;
  }
}

/**
 * An image seen in a registry (webhook, watch): records the tag -> digest observation and queues the digest
 * once per image. A digest already queued or scanned (under any tag) queues nothing: no second pull.
 */
export async function queueImage(store: Store, registry: RegistryRow, push: { repository: string; digest: string; tag: string | null }, source: string): Promise<QueueOutcome> {
  const project = projectFor(parseRules(registry.project_rules), push.repository);
  if (!project) return { kind: 'no-project', repository: push.repository };
  if (push.tag !== null) await store.registries.observeTag(registry.id, push.repository, push.tag, push.digest);
  const r = await store.scanJobs.enqueue({
    registryId: registry.id,
    image: `${registry.url}/${push.repository}`,
    repository: push.repository,
    digest: push.digest,
    projectId: await projectId(store, project),
    source,
  });
  return r.created ? { kind: 'queued', jobId: r.id, project } : { kind: 'known', jobId: r.id, project, status: r.status };
}
