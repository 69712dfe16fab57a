/*
 * The upstreams of the benchmark, in a process of their own so that the
 * backend's RSS is measured alone: one Kubernetes API emulator per cluster
 * and the real Prometheus with the fleet's Istio metrics backfilled. Talks to
 * the benchmark over IPC (see fleetBench.ts). Run by fleetBench.ts only.
 */
import {
  KubernetesEmulator,
  PrometheusInstance,
  startKubernetesEmulator,
  startPrometheus,
  toOpenMetrics,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { generateFleet } from '../src/__testUtils__/generateFleet';
import {
  BENCH_CLUSTERS,
  BENCH_NAMESPACES,
  BENCH_SERVICES,
  InfraMessage,
  InfraRequest,
} from './benchFleet';

function send(message: InfraMessage) {
  process.send?.(message);
}

/** Everything started so far, stopped when the benchmark asks or goes away. */
const running: Array<{ stop(): Promise<void> }> = [];

async function stopAll(): Promise<never> {
  await Promise.allSettled(running.map(r => r.stop()));
  process.exit(0);
}

async function main() {
  process.once('disconnect', stopAll);
  const setupMs: Record<string, number> = {};
  let t = Date.now();
  const fleet = generateFleet({
    count: BENCH_SERVICES,
    clusters: BENCH_CLUSTERS,
    namespaces: BENCH_NAMESPACES,
  });
  const emulators: KubernetesEmulator[] = [];
  for (const name of BENCH_CLUSTERS) {
    const emulator = await startKubernetesEmulator({
      name,
      objects: fleet.objects[name],
    });
    emulators.push(emulator);
    running.push(emulator);
  }
  setupMs.emulators = Date.now() - t;

  t = Date.now();
  // Constant traffic from 6 minutes ago until 4 minutes from now, every
  // 2 minutes: enough for 5-minute rates at any moment of the run, and a
  // backfill of reasonable size (about 6 samples per series).
  const now = Date.now();
  let series = 0;
  const backfill = BENCH_CLUSTERS.map(name => {
    const text = toOpenMetrics(fleet.models[name], {
      start: new Date(now - 360_000),
      end: new Date(now + 240_000),
      stepSeconds: 120,
    });
    series += text.split('\n').length / 6;
    return text;
  });
  setupMs.generateMetrics = Date.now() - t;
  t = Date.now();
  const prometheus: PrometheusInstance = await startPrometheus({
    backfill,
    startTimeoutMs: 120_000,
  });
  running.push(prometheus);
  setupMs.prometheus = Date.now() - t;
  backfill.length = 0;

  process.on('message', async (request: InfraRequest) => {
    if (request.type === 'calls') {
      send({
        type: 'calls',
        calls: Object.fromEntries(
          emulators.map(e => [e.name, e.calls.count()]),
        ),
      });
    } else if (request.type === 'stop') {
      await stopAll();
    }
  });
  send({
    type: 'ready',
    clusters: emulators.map(e => ({
      name: e.name,
      url: e.url,
      token: e.token,
    })),
    prometheusUrl: prometheus.url,
    series: Math.round(series),
    setupMs,
  });
}

main().catch(async error => {
  send({ type: 'error', message: String(error?.stack ?? error) });
  await Promise.allSettled(running.map(r => r.stop()));
  process.exit(1);
});
