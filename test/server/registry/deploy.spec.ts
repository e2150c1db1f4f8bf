import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { Service, ServiceAccount } from 'kubernetes-models/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { runCli } from '../../support/cli.js';
import { REPO_ROOT } from '../../support/shared.js';

/**
 * deploy/: the plain manifests and the Helm chart, checked against the Kubernetes OpenAPI JSON schemas that the
 * kubernetes-models package ships (validate() runs them with ajv). There is no helm binary here: the chart is
 * rendered by a renderer that knows exactly the template actions the chart uses ({{ .Values.… }},
 * {{ .Release.Name }}, {{ .Release.Namespace }}, {{- if .Values.… }} … {{- end }}) and refuses any other.
 */
type Obj = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown };

const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/DaemonSet': DaemonSet,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
};

function validate(objs: Obj[], where: string): void {
  for (const o of objs) {
    const Model = MODELS[`${o.apiVersion}/${o.kind}`];
    if (!Model) throw new Error(`${where}: no schema for ${o.apiVersion} ${o.kind}`);
    expect(() => new Model(o as never).validate(), `${where}: ${o.kind} ${o.metadata.name}`).not.toThrow();
  }
}

function docs(text: string, where: string): Obj[] {
  return parseAllDocuments(text).flatMap((d) => {
    if (d.errors.length > 0) throw new Error(`${where}: ${d.errors[0]!.message}`);
    const v = d.toJS() as Obj | null;
    return v ? [v] : [];
  });
}

function lookup(scope: Record<string, unknown>, dotted: string, where: string): unknown {
  let v: unknown = scope;
  for (const k of dotted.split('.').filter(Boolean)) {
    if (typeof v !== 'object' || v === null || !(k in v)) throw new Error(`${where}: .${dotted} is not defined`);
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function renderChart(template: string, scope: Record<string, unknown>, where: string): string {
  const out: string[] = [];
  const stack: boolean[] = [];
  const re = /\{\{(-?)\s*([^}]*?)\s*(-?)\}\}/g;
  let last = 0;
  const emit = (s: string): void => {
    if (stack.every(Boolean)) out.push(s);
  };
  for (let m = re.exec(template); m; m = re.exec(template)) {
    let before = template.slice(last, m.index);
    if (m[1] === '-') before = before.replace(/\s+$/, '');
    emit(before);
    last = m.index + m[0].length;
    if (m[3] === '-') while (/\s/.test(template[last] ?? '')) last++;
    const action = m[2]!;
    const cond = /^if \.(\S+)$/.exec(action);
    const active = stack.every(Boolean);
    if (cond) stack.push(active && Boolean(lookup(scope, cond[1]!, where)));
    else if (action === 'end') {
      if (stack.length === 0) throw new Error(`${where}: {{ end }} without {{ if }}`);
      stack.pop();
    } else if (/^\.[A-Za-z.]+$/.test(action)) {
      if (active) emit(String(lookup(scope, action.slice(1), where)));
    }
    else throw new Error(`${where}: template action {{ ${action} }} is not supported by this renderer`);
  }
  emit(template.slice(last));
  if (stack.length > 0) throw new Error(`${where}: {{ if }} without {{ end }}`);
  return out.join('');
}

const DEPLOY = path.join(REPO_ROOT, 'deploy');
const CHART = path.join(DEPLOY, 'helm', 'bulwark');

function plainObjects(): Obj[] {
  const dir = path.join(DEPLOY, 'kubernetes');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).flatMap((f) => docs(fs.readFileSync(path.join(dir, f), 'utf8'), f));
}

function chartObjects(values: Record<string, unknown>): Obj[] {
  const scope = { Values: values, Release: { Name: 'bw', Namespace: 'security' }, Chart: parseYaml(fs.readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8')) as unknown };
  const dir = path.join(CHART, 'templates');
  return fs.readdirSync(dir).flatMap((f) => docs(renderChart(fs.readFileSync(path.join(dir, f), 'utf8'), scope, f), f));
}

const defaults = (): Record<string, unknown> => parseYaml(fs.readFileSync(path.join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;

function leastPrivilege(objs: Obj[]): void {
  const roles = objs.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
  expect(roles).toHaveLength(1);
  const allowed = new Set(['/pods', 'apps/deployments', 'apps/replicasets', 'apps/statefulsets', 'apps/daemonsets', 'batch/jobs', 'batch/cronjobs']);
  for (const rule of (roles[0] as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }).rules) {
    for (const v of rule.verbs) expect(['get', 'list', 'watch']).toContain(v);
    for (const g of rule.apiGroups) for (const r of rule.resources) expect(allowed.has(`${g}/${r}`), `${g}/${r}`).toBe(true);
  }
  // Only the collector's account mounts a token.
  for (const sa of objs.filter((o) => o.kind === 'ServiceAccount')) expect((sa as { automountServiceAccountToken?: boolean }).automountServiceAccountToken).toBe(sa.metadata.name.endsWith('-collector'));
}

/** Every --flag a manifest passes exists in the CLI's help for that command. */
function argsExist(objs: Obj[]): void {
  for (const d of objs.filter((o) => o.kind === 'Deployment')) {
    const args = ((d as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } }).spec.template.spec.containers[0]!.args).slice();
    const global: string[] = [];
    while (args[0]?.startsWith('--')) global.push(...args.splice(0, 2));
    const cmd = args[0] === 'k8s' ? args.slice(0, 2) : args.slice(0, 1);
    const help = runCli([...cmd, '--help']).stdout + runCli(['--help']).stdout;
    for (const flag of [...global, ...args].filter((a) => a.startsWith('--'))) expect(help, `${d.metadata.name}: ${flag}`).toContain(flag);
  }
}

describe('deploy/ manifests and Helm chart', () => {
  it('plain manifests pass the Kubernetes schemas, least-privilege RBAC, real CLI flags', () => {
    const objs = plainObjects();
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      ['ClusterRole/bulwark-collector', 'ClusterRoleBinding/bulwark-collector', 'Deployment/bulwark-collector', 'Deployment/bulwark-server', 'Deployment/bulwark-worker', 'Service/bulwark', 'ServiceAccount/bulwark', 'ServiceAccount/bulwark-collector'].sort(),
    );
    validate(objs, 'deploy/kubernetes');
    leastPrivilege(objs);
    argsExist(objs);
  });

  it('the chart renders (defaults, collector off) to objects that pass the schemas', () => {
    const on = chartObjects(defaults());
    validate(on, 'chart');
    leastPrivilege(on);
    argsExist(on);
    expect(on.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual(['bw-collector', 'bw-server', 'bw-worker']);
    const off = chartObjects({ ...defaults(), collector: { enabled: false } });
    validate(off, 'chart (collector off)');
    expect(off.some((o) => o.kind === 'ClusterRole' || o.metadata.name === 'bw-collector')).toBe(false);
  });

  it('the schema check and the renderer can fail', () => {
    expect(() => new Deployment({ metadata: { name: 'x' }, spec: { replicas: 'two' } } as never).validate()).toThrow();
    expect(() => renderChart('{{ include "x" . }}', {}, 't')).toThrow(/not supported/);
    expect(() => renderChart('{{ .Values.nope }}', { Values: {} }, 't')).toThrow(/not defined/);
  });
});
