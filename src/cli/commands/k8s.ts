import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import type { CliCommand } from './index.js';
import { untilStopSignal } from '../signals.js';

interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
  namespace?: string;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

function clusterOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--in-cluster', "use the pod's service account")
    .option('-n, --namespace <ns>', 'one namespace (default: all)');
}

export const k8sCommand: CliCommand = {
  name: 'k8s',
  register(program: Command, context: () => CliContext) {
    const k8s = program.command('k8s').description('what runs in Kubernetes: inventory, and collection into a Bulwark server');
    clusterOptions(k8s.command('inventory'))
      .description('list pods and their owning workloads with the image digest each container runs (read-only: get/list)')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
      .action(async (opts: ClusterOptions & { format: string }) => {
        const ctx = context();
        const { loadKubeConfig } = await import('../../server/k8s/kubeconfig.js');
        const { k8sInventory } = await import('../../server/k8s/inventory.js');
        const uses = await k8sInventory(loadKubeConfig(opts), opts.namespace ? { namespace: opts.namespace } : {});
        if (opts.format === 'json') ctx.stdout.write(JSON.stringify({ containers: uses }, null, 2) + '\n');
        else {
          const rows = [['NAMESPACE', 'WORKLOAD', 'CONTAINER', 'IMAGE', 'DIGEST'], ...uses.map((u) => [u.namespace, `${u.workload.kind}/${u.workload.name}`, u.container, u.repository ?? u.image, u.digest ?? `- (${u.unresolved ?? 'unknown'})`])];
          ctx.stdout.write(table(rows));
        }
        const digests = new Set(uses.flatMap((u) => (u.digest ? [u.digest] : [])));
        ctx.log.info(`${uses.length} container(s), ${digests.size} distinct image digest(s)`);
        process.exitCode = 0;
      });
    clusterOptions(k8s.command('collect'))
      .description("queue every running image digest once as a scan job in the server's store, and map findings back to namespace/workload/container")
      .option('--database <url>', "the server's PostgreSQL (env BULWARK_DATABASE_URL)")
      .option('--data-dir <dir>', "the server's data directory (SQLite, same machine)")
      .option('--cluster <name>', 'name of this cluster in the workload map', 'default')
      .option('--project <name>', 'project of images from registries the server does not know', 'kubernetes')
      .option('--interval <seconds>', 'list again this often; pods are watched in between', '300')
      .option('--once', 'list once, then exit')
      .action(async (opts: ClusterOptions & { database?: string; dataDir?: string; cluster: string; project: string; interval: string; once?: boolean }) => {
        const ctx = context();
        const database = opts.database ?? process.env.BULWARK_DATABASE_URL;
        if (!database && !opts.dataDir) throw new UsageError('--database postgres://… (or BULWARK_DATABASE_URL) or --data-dir is required');
        if (!/^\d+$/.test(opts.interval) || Number(opts.interval) < 10) throw new UsageError('--interval must be a whole number of seconds ≥ 10');
        const { loadKubeConfig } = await import('../../server/k8s/kubeconfig.js');
        const { K8sCollector } = await import('../../server/k8s/collector.js');
        const { Store } = await import('../../server/store/store.js');
        const kc = loadKubeConfig(opts);
        const store = await Store.open({ ...(database ? { databaseUrl: database } : {}), ...(opts.dataDir ? { dataDir: path.resolve(opts.dataDir) } : {}) });
        const collector = new K8sCollector(store, kc, { cluster: opts.cluster, project: opts.project, log: ctx.log, intervalMs: Number(opts.interval) * 1000, ...(opts.namespace ? { namespace: opts.namespace } : {}) });
        try {
          if (opts.once) {
            const r = await collector.collect();
            process.exitCode = r ? 0 : 1;
            return;
          }
          await collector.start();
          await untilStopSignal();
          await collector.stop();
          process.exitCode = 0;
        } finally {
          await store.close();
        }
      });
  },
};
