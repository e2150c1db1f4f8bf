import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A local stand-in for the Kubernetes API server (there is no cluster on this machine): it serves list
 * responses in the shape the API returns them (PodList/ReplicaSetList/JobList with apiVersion, kind,
 * metadata.resourceVersion and `continue` pagination; items as the API server renders them, see the
 * Kubernetes API reference v1.30 for Pod, ReplicaSet, Job) and pod watches (`?watch=true`: newline-delimited
 * watch events {type, object}). Objects are built by the helpers below from real image digests.
 */
export interface FakeKube {
  url: string;
  kubeconfig: string;
  requests: string[];
  /** Sends a watch event to every open pod watch. */
  emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: Record<string, unknown>): void;
  pods: Record<string, unknown>[];
  close(): Promise<void>;
}

let rv = 1000;
const meta = (namespace: string, name: string, owner?: { kind: string; name: string; apiVersion: string }) => ({
  name,
  namespace,
  uid: `${namespace}-${name}-uid`,
  resourceVersion: String(++rv),
  creationTimestamp: '2026-12-01T10:00:00Z',
  labels: { app: name.split('-')[0] },
  ...(owner ? { ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: `${namespace}-${owner.name}-uid`, controller: true, blockOwnerDeletion: true }] } : {}),
});

/** A running pod as the API returns it: spec.containers and status.containerStatuses (containerd imageID). */
export function pod(namespace: string, name: string, owner: { kind: string; name: string; apiVersion: string } | undefined, containers: { name: string; image: string; imageID: string | null }[]) {
  return {
    metadata: meta(namespace, name, owner),
    spec: {
      containers: containers.map((c) => ({ name: c.name, image: c.image, imagePullPolicy: 'IfNotPresent', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' })),
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      nodeName: 'node-1',
      schedulerName: 'default-scheduler',
    },
    status: {
      phase: containers.every((c) => c.imageID) ? 'Running' : 'Pending',
      hostIP: '10.0.0.5',
      podIP: '10.244.1.7',
      startTime: '2026-12-01T10:00:01Z',
      qosClass: 'BestEffort',
      containerStatuses: containers.map((c) =>
        c.imageID
          ? { name: c.name, image: c.image, imageID: c.imageID, ready: true, started: true, restartCount: 0, containerID: `containerd://${'c'.repeat(64)}`, state: { running: { startedAt: '2026-12-01T10:00:02Z' } }, lastState: {} }
          : { name: c.name, image: c.image, imageID: '', ready: false, started: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} },
      ),
    },
  };
}

export function owned(namespace: string, name: string, owner: { kind: string; name: string; apiVersion: string } | undefined) {
  return { metadata: meta(namespace, name, owner), spec: {}, status: {} };
}

function list(kind: string, apiVersion: string, items: unknown[], cont?: string) {
  return { kind, apiVersion, metadata: { resourceVersion: String(rv), ...(cont ? { continue: cont } : {}) }, items };
}

export async function fakeKube(data: { pods: Record<string, unknown>[]; replicasets: unknown[]; jobs: unknown[] }): Promise<FakeKube> {
  const watchers = new Set<http.ServerResponse>();
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const u = new URL(req.url ?? '/', 'http://x');
    const json = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (u.searchParams.get('watch') === 'true' && /^\/api\/v1\/(namespaces\/[^/]+\/)?pods$/.test(u.pathname)) {
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.write('');
      watchers.add(res);
      req.on('close', () => watchers.delete(res));
      return;
    }
    switch (u.pathname) {
      case '/api/v1/pods': {
        // Two pages: the client must follow `continue`.
        const half = Math.ceil(data.pods.length / 2);
        if (u.searchParams.get('continue') === 'page2') return json(list('PodList', 'v1', data.pods.slice(half)));
        return json(list('PodList', 'v1', data.pods.slice(0, half), 'page2'));
      }
      case '/apis/apps/v1/replicasets':
        return json(list('ReplicaSetList', 'apps/v1', data.replicasets));
      case '/apis/batch/v1/jobs':
        return json(list('JobList', 'batch/v1', data.jobs));
      default:
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `the server could not find the requested resource`, reason: 'NotFound', code: 404 }));
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-kube-'));
  const kubeconfig = path.join(dir, 'config');
  fs.writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: ${url}
    insecure-skip-tls-verify: true
contexts:
- name: local
  context:
    cluster: local
    user: reader
current-context: local
users:
- name: reader
  user:
    token: test-token
`,
  );
  return {
    url,
    kubeconfig,
    requests,
    pods: data.pods,
    emit(type, p) {
      if (type === 'ADDED') data.pods.push(p);
      for (const w of watchers) w.write(JSON.stringify({ type, object: { kind: 'Pod', apiVersion: 'v1', ...p } }) + '\n');
    },
    close: () =>
      new Promise<void>((r) => {
        for (const w of watchers) w.end();
        for (const s of sockets) s.destroy();
        server.close(() => r());
        fs.rmSync(dir, { recursive: true, force: true });
      }),
  };
}
