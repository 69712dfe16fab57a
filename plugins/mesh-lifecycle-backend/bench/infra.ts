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
import {
  RECORDED_P95_LATENCY_5M,
  count,
  meshLifecycleRecordingRules,
  selector,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
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
  // Constant traffic from 6 minutes ago until now, every minute: enough for
  // 5-minute rates during the next four minutes (the run takes about two),
  // and a backfill of reasonable size (7 samples per series). It ends now
  // because Prometheus appends the recording rules' samples only after the
  // newest backfilled block.
  const now = Date.now();
  let series = 0;
  const backfill = BENCH_CLUSTERS.map(name => {
    const text = toOpenMetrics(fleet.models[name], {
      start: new Date(now - 360_000),
      end: new Date(now),
      stepSeconds: 60,
    });
    series += text.split('\n').length / 6;
    return text;
  });
  setupMs.generateMetrics = Date.now() - t;
  t = Date.now();
  const prometheus: PrometheusInstance = await startPrometheus({
    backfill,
    startTimeoutMs: 120_000,
    rules: { groups: [meshLifecycleRecordingRules({ interval: '30s' })] },
  });
  running.push(prometheus);
  setupMs.prometheus = Date.now() - t;
  backfill.length = 0;
  // The recording rules' first evaluation, for the backend that reads them.
  t = Date.now();
  const recorded = String(count(selector(RECORDED_P95_LATENCY_5M, {})));
  for (let i = 0; ; i++) {
    const data = await prometheus.query(recorded);
    const [sample] = data.resultType === 'vector' ? data.result : [];
    if (sample && Number(sample.value[1]) > 0) break;
    if (i > 300) throw new Error('The recording rules recorded nothing');
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  setupMs.recordingRules = Date.now() - t;

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
