import { UsageError } from '../../core/errors.js';

/** A registry image reference, normalized the Docker way (docker.io/library/alpine:latest). */
export interface ImageReference {
  /** Registry host[:port] as written (docker.io for Docker Hub). */
  registry: string;
  /** Repository path (library/alpine). */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Scan-target prefixes that name an image in a registry (`registry:<ref>`, alias `docker://<ref>`). */
export const REGISTRY_TARGET_PREFIXES = ['registry:', 'docker://'] as const;

export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's v2 API actually answers. */
export const DOCKER_HUB_API = 'registry-1.docker.io';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPO_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/;
const HOST_RE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d+)?$/;

/** Parses `[host[:port]/]repo[:tag][@digest]`; undefined when the string is not a valid reference. */
export function tryParseReference(input: string): ImageReference | undefined {
  let s = input.trim();
  if (s === '' || /\s/.test(s)) return undefined;
  let digest: string | undefined;
  const at = s.indexOf('@');
  if (at !== -1) {
    digest = s.slice(at + 1);
    s = s.slice(0, at);
    if (!DIGEST_RE.test(digest)) return undefined;
  }
  let registry = DOCKER_HUB;
  const slash = s.indexOf('/');
  if (slash !== -1) {
    const first = s.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('[')) {
      if (!HOST_RE.test(first)) return undefined;
      registry = first;
      s = s.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = s.lastIndexOf(':');
  if (colon !== -1) {
    tag = s.slice(colon + 1);
    s = s.slice(0, colon);
    if (!TAG_RE.test(tag)) return undefined;
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  if (!REPO_RE.test(s)) return undefined;
  if (registry === DOCKER_HUB && !s.includes('/')) s = `library/${s}`;
  if (tag === undefined && digest === undefined) tag = 'latest';
  const ref: ImageReference = { registry, repository: s };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

export function parseReference(input: string): ImageReference {
  const r = tryParseReference(input);
  if (!r) throw new UsageError(`not a valid image reference: ${JSON.stringify(input)}`, 'use [host[:port]/]repository[:tag][@sha256:<digest>], e.g. debian:12 or 127.0.0.1:5000/debian:multi');
  return r;
}

export function formatReference(r: ImageReference): string {
  return `${r.registry}/${r.repository}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest !== undefined ? `@${r.digest}` : ''}`;
}

/** The host the v2 API is reached at. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

export function isLoopbackHost(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
