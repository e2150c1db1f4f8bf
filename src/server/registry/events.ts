/**
 * Registry push events, from the three webhook formats, reduced to what a scan needs: which repository, which
 * manifest digest, which tag (if any). Only pushes of manifests are kept; blob pushes, pulls and deletes are
 * acknowledged and ignored.
 *
 * - CNCF distribution notifications (docker-registry 2.x, distribution 3): an envelope `{events: [...]}`, each
 *   event `{id, action, target: {mediaType, digest, repository, tag?}}`; media type
 *   application/vnd.docker.distribution.events.v1+json (v2 in distribution 3).
 * - GitLab container registry: the same envelope (GitLab's registry is a distribution fork and sends
 *   distribution notifications).
 * - Harbor (default payload format): `{type: 'PUSH_ARTIFACT', event_data: {repository: {repo_full_name},
 *   resources: [{digest, tag, resource_url}]}}`.
 */
export interface PushEvent {
  repository: string;
  digest: string;
  tag: string | null;
}

export type WebhookKind = 'registry' | 'harbor' | 'gitlab';

export class WebhookPayloadError extends Error {}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

const MANIFEST_TYPES = new Set([
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function checked(repository: string | undefined, digest: string | undefined, tag: string | undefined, where: string): PushEvent {
  if (!repository || !REPOSITORY.test(repository) || repository.length > 255) throw new WebhookPayloadError(`${where}: repository ${JSON.stringify(repository ?? null)} is not a valid repository name`);
  if (!digest || !DIGEST.test(digest)) throw new WebhookPayloadError(`${where}: digest ${JSON.stringify(digest ?? null)} is not a sha256 digest`);
  if (tag !== undefined && tag !== '' && !TAG.test(tag)) throw new WebhookPayloadError(`${where}: tag ${JSON.stringify(tag)} is not a valid tag`);
  return { repository, digest, tag: tag ? tag : null };
}

/** Distribution (and GitLab) notification envelopes. */
function distributionPushes(body: unknown): PushEvent[] {
  if (!isObject(body) || !Array.isArray(body.events)) throw new WebhookPayloadError('expected a notification envelope {"events": [...]}');
  if (body.events.length > 1000) throw new WebhookPayloadError('more than 1000 events in one envelope');
  const out: PushEvent[] = [];
  body.events.forEach((e, i) => {
    if (!isObject(e)) throw new WebhookPayloadError(`events[${i}] is not an object`);
    if (e.action !== 'push') return;
    const t = e.target;
    if (!isObject(t)) throw new WebhookPayloadError(`events[${i}].target is missing`);
    const mediaType = str(t.mediaType);
    if (!mediaType || !MANIFEST_TYPES.has(mediaType)) return; // a blob (layer, config) push
    out.push(checked(str(t.repository), str(t.digest), str(t.tag), `events[${i}]`));
  });
  return out;
}

function harborPushes(body: unknown): PushEvent[] {
  if (!isObject(body) || typeof body.type !== 'string') throw new WebhookPayloadError('expected a Harbor webhook payload {"type": ..., "event_data": ...}');
  if (body.type !== 'PUSH_ARTIFACT' && body.type !== 'pushImage') return [];
  const data = body.event_data;
  if (!isObject(data) || !isObject(data.repository) || !Array.isArray(data.resources)) throw new WebhookPayloadError('event_data needs repository and resources');
  const repository = str(data.repository.repo_full_name);
  if (data.resources.length > 1000) throw new WebhookPayloadError('more than 1000 resources in one event');
  return data.resources.map((r, i) => {
    if (!isObject(r)) throw new WebhookPayloadError(`event_data.resources[${i}] is not an object`);
    return checked(repository, str(r.digest), str(r.tag), `event_data.resources[${i}]`);
  });
}

export function pushesOf(kind: WebhookKind, body: unknown): PushEvent[] {
  return kind === 'harbor' ? harborPushes(body) : distributionPushes(body);
}
