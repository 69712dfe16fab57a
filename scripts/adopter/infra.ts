/*
 * The adopter test's clusters and Prometheus (scripts/adopter/run.mjs): the
 * demo's three emulated clusters with their Istio telemetry and a real
 * Prometheus, from the test kit, in this workspace's process. Prints one JSON
 * line with where they listen once ready, and stops on SIGTERM.
 *
 *   node -r @backstage/cli/config/nodeTransform.cjs scripts/adopter/infra.ts <kubeconfig> <prometheusPort> <firstClusterPort>
 */
import { join } from 'node:path';
import { startDemoMesh } from '../../examples/backend/src/demoMesh/startDemoMesh';

async function main() {
  const [kubeconfigPath, prometheusPort, firstPort] = process.argv.slice(2);
  const names = ['dev', 'test', 'prod'] as const;
  const clusters = names.map((name, i) => ({
    name,
    port: Number(firstPort) + i,
    token: `adopter-${name}-token`,
  }));
  const logger = {
    info: (message: string) => process.stderr.write(`${message}\n`),
    warn: (message: string) => process.stderr.write(`${message}\n`),
    error: (message: string) => process.stderr.write(`${message}\n`),
    debug: () => {},
    child() {
      return logger;
    },
  };
  const mesh = await startDemoMesh({
    clusters,
    manifestsDir: join(__dirname, '../../examples/clusters'),
    prometheusPort: Number(prometheusPort),
    kubeconfigPath,
    historyHours: 1,
    logger,
  });
  process.stdout.write(
    `${JSON.stringify({
      clusters: clusters.map(c => ({
        name: c.name,
        url: `https://127.0.0.1:${c.port}`,
        token: c.token,
      })),
      prometheusUrl: mesh.prometheus.url,
    })}\n`,
  );
  process.once('SIGTERM', () => {
    mesh.stop().finally(() => process.exit(0));
  });
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
