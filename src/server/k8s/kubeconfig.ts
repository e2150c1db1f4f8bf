import fs from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { FileError, UsageError } from '../../core/errors.js';

export interface KubeConfigOptions {
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
}

/** A kubeconfig file (--kubeconfig, else KUBECONFIG / ~/.kube/config), or the pod's service account (--in-cluster). */
export function loadKubeConfig(opts: KubeConfigOptions): KubeConfig {
  const kc = new KubeConfig();
  if (opts.inCluster) {
    if (!process.env.KUBERNETES_SERVICE_HOST) throw new UsageError('--in-cluster: KUBERNETES_SERVICE_HOST is not set (not running in a pod)');
    kc.loadFromCluster();
    return kc;
  }
  if (opts.kubeconfig) {
    if (!fs.existsSync(opts.kubeconfig)) throw new FileError(opts.kubeconfig, 'no such kubeconfig file');
    try {
      kc.loadFromFile(opts.kubeconfig);
    } catch (e) {
      throw new FileError(opts.kubeconfig, `not a usable kubeconfig: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else kc.loadFromDefault();
  if (opts.context) {
    if (!kc.getContexts().some((c) => c.name === opts.context)) throw new UsageError(`--context ${opts.context}: no such context in the kubeconfig`);
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) throw new UsageError('no Kubernetes cluster configured', 'pass --kubeconfig FILE, set KUBECONFIG, or run in a pod with --in-cluster');
  return kc;
}
