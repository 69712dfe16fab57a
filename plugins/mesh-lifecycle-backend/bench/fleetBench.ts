/*
 * Performance benchmark of the mesh-lifecycle backend (not a test): see
 * README.md in this folder for how to run it and what it last measured.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ChildProcess, fork } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { generateFleet } from '../src/__testUtils__/generateFleet';
import { meshLifecyclePlugin } from '../src/plugin';
import { PrometheusClient } from '../src/prometheus/PrometheusClient';
import { istioQueries } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  BENCH_CLUSTERS,
  BENCH_NAMESPACES,
  BENCH_SERVICES,
  InfraMessage,
  InfraRequest,
} from './benchFleet';

const WARM_RUNS = 200;
const FLEET_WARM_RUNS = 20;
const WINDOW_SECONDS = 300;

const TARGETS = {
  warmEntityP95Ms: 50,
  warmEntityClusterCalls: 0,
  fleetColdMs: 1_500,
  fleetWarmMs: 100,
  rssMb: 300,
};

type Ready = Extract<InfraMessage, { type: 'ready' }>;

/**
 * The test catalog's query answers, kept for the whole run (every backend
 * it starts): the in-memory catalog filters every entity again for each
 * page it answers (quadratic in the catalog's size: 160 ms of a warm fleet
 * view and some 0.5 s of a cold one at 5,000 services), which a real
 * catalog, answering a page from its search index, does not. The entities
 * do not change during the run.
 */
const catalogAnswers = new Map<string, Promise<unknown>>();

/** The test catalog, answering queries from {@link catalogAnswers}. */
function indexedCatalog(entities: Entity[]) {
  const catalog = catalogServiceMock({ entities });
  const answers = catalogAnswers as Map<
    string,
    ReturnType<typeof catalog.queryEntities>
  >;
  const queryEntities: typeof catalog.queryEntities = (request, options) => {
    const key = JSON.stringify(request ?? {});
    let answer = answers.get(key);
    if (!answer) {
      answer = catalog.queryEntities(request, options);
      answers.set(key, answer);
    }
    return answer;
  };
  return createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory: () =>
      new Proxy(catalog, {
        get(target, property) {
          if (property === 'queryEntities') return queryEntities;
          const value: unknown = Reflect.get(target, property);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
  });
}

/** The entity routes in router.ts, e.g. `mesh` for `/entities/:kind/:namespace/:name/mesh`. */
function entityRoutes(): string[] {
  const source = readFileSync(join(__dirname, '../src/router.ts'), 'utf8');
  const routes = new Set<string>();
  for (const match of source.matchAll(
    /router\.get\(\s*'\/entities\/:kind\/:namespace\/:name\/([\w-]+)'/g,
  )) {
    routes.add(match[1]);
  }
  return [...routes];
}

class Infra {
  private readonly child: ChildProcess;
  private readonly waiting: Array<(message: InfraMessage) => void> = [];

  constructor() {
    this.child = fork(join(__dirname, 'infra.ts'), [], {
      execArgv: ['-r', '@backstage/cli/config/nodeTransform.cjs'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: InfraMessage | { type: 'watch' }) => {
      // The TypeScript transform reports the files it loads; not ours.
      if (message.type === 'watch') return;
      this.waiting.shift()?.(message);
    });
  }

  next(request?: InfraRequest): Promise<InfraMessage> {
    return new Promise(resolve => {
      this.waiting.push(resolve);
      if (request) this.child.send(request);
    });
  }

  async calls(): Promise<number> {
    const answer = await this.next({ type: 'calls' });
    if (answer.type !== 'calls') throw new Error('unexpected answer');
    return Object.values(answer.calls).reduce((a, b) => a + b, 0);
  }

  async stop() {
    const exited = new Promise(resolve => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies InfraRequest);
    await exited;
  }
}

/** How many services of a fleet answer have a p95 latency. */
function withP95(body: {
  services: Array<{
    status: string;
    traffic?: Array<{ figures: { p95LatencyMs: number | null } }>;
  }>;
}): number {
  return body.services.filter(
    s => s.status === 'ok' && s.traffic?.[0]?.figures.p95LatencyMs !== null,
  ).length;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

function verdict(pass: boolean | undefined): string {
  if (pass === undefined) return '';
  return pass ? 'PASS' : 'FAIL';
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

const signedMb = (bytes: number) =>
  `${bytes < 0 ? '-' : '+'}${mb(Math.abs(bytes))}`;

async function main() {
  const started = Date.now();
  const loadAtStart = loadavg()[0];
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);

  const infra = new Infra();
  const ready = await infra.next();
  if (ready.type !== 'ready') {
    throw new Error(ready.type === 'error' ? ready.message : 'infra failed');
  }
  const { entities } = generateFleet({
    count: BENCH_SERVICES,
    clusters: BENCH_CLUSTERS,
    namespaces: BENCH_NAMESPACES,
  });
  const routes = entityRoutes();
  if (global.gc) global.gc();
  const rssBeforeBackend = process.memoryUsage().rss;

  const startBackend = (options: { recordingRules?: boolean } = {}) =>
    startTestBackend({
      features: [
        meshLifecyclePlugin,
        indexedCatalog(entities),
        mockServices.rootConfig.factory({
          data: {
            meshLifecycle: {
              clusters: (ready as Ready).clusters.map(c => ({
                name: c.name,
                url: c.url,
                serviceAccountToken: c.token,
                allowInsecureHttp: true,
              })),
              prometheus: {
                url: (ready as Ready).prometheusUrl,
                recordingRules: options.recordingRules === true,
              },
            },
          },
        }),
      ],
    });

  const timed = async (path: string, base: string) => {
    const t = performance.now();
    const response = await fetch(`${base}${path}`);
    const body = await response.text();
    const ms = performance.now() - t;
    if (response.status !== 200) {
      throw new Error(`${path}: HTTP ${response.status} ${body.slice(0, 300)}`);
    }
    return { ms, bytes: body.length, body };
  };
  const page = async (base: string, name: string) => {
    const t = performance.now();
    const answers = await Promise.all(
      routes.map(route =>
        timed(
          // Each route with its defaults (the traffic window is 5 minutes).
          `/api/mesh-lifecycle/entities/component/default/${name}/${route}`,
          base,
        ),
      ),
    );
    return { ms: performance.now() - t, answers };
  };

  // Entity page, on a fresh backend: cold, then warm.
  const entityBackend = await startBackend();
  const entityBase = `http://127.0.0.1:${entityBackend.server.port()}`;
  const name = entities[1].metadata.name;
  let calls = await infra.calls();
  const cold = await page(entityBase, name);
  const coldCalls = (await infra.calls()) - calls;
  const sourceErrors = cold.answers
    .map(a => a.body)
    .filter(body => body.includes('"status":"error"'));
  calls = await infra.calls();
  const warm: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    warm.push((await page(entityBase, name)).ms);
  }
  // Each route alone, to see where a page's time goes.
  const perRoute = new Map<string, number[]>();
  for (const route of routes) {
    const times: number[] = [];
    for (let i = 0; i < WARM_RUNS / 2; i++) {
      const path = `/api/mesh-lifecycle/entities/component/default/${name}/${route}`;
      times.push((await timed(path, entityBase)).ms);
    }
    perRoute.set(route, times);
  }
  const rssAfterEntity = process.memoryUsage().rss;
  const warmCalls = (await infra.calls()) - calls;
  // Other entities: cluster caches warm, Prometheus answers not cached.
  calls = await infra.calls();
  const others: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    others.push(
      (
        await page(
          entityBase,
          entities[(i * 7 + 3) % entities.length].metadata.name,
        )
      ).ms,
    );
  }
  const othersCalls = (await infra.calls()) - calls;
  // The catalog's pages of the fleet query, asked once before the fleet's
  // cold view (see catalogAnswers): that view measures the plugin and
  // Prometheus, not the test catalog.
  await timed(`/api/mesh-lifecycle/fleet?window=${WINDOW_SECONDS}`, entityBase);
  await entityBackend.stop();

  // Fleet, on another fresh backend: cold, then warm.
  if (global.gc) global.gc();
  const rssBeforeFleet = process.memoryUsage().rss;
  const fleetBackend = await startBackend();
  const fleetBase = `http://127.0.0.1:${fleetBackend.server.port()}`;
  const fleetPath = `/api/mesh-lifecycle/fleet?window=${WINDOW_SECONDS}`;
  calls = await infra.calls();
  const fleetCold = await timed(fleetPath, fleetBase);
  const fleetColdAt = Date.now();
  const fleetColdCalls = (await infra.calls()) - calls;
  const fleetBody = JSON.parse(fleetCold.body);
  calls = await infra.calls();
  const fleetWarm: number[] = [];
  for (let i = 0; i < FLEET_WARM_RUNS; i++) {
    fleetWarm.push((await timed(fleetPath, fleetBase)).ms);
  }
  const fleetWarmCalls = (await infra.calls()) - calls;
  // Once the cached answers (10 s from the cold answer) have expired: what
  // a viewer pays every 10 s, with Prometheus and the watch caches warm.
  await new Promise(resolve =>
    setTimeout(resolve, Math.max(0, fleetColdAt + 10_500 - Date.now())),
  );
  const fleetExpired = await timed(fleetPath, fleetBase);
  if (global.gc) global.gc();
  const rssAfter = process.memoryUsage().rss;
  const heapAfter = process.memoryUsage().heapUsed;
  clearInterval(sampler);
  // The same on a fresh backend whose Prometheus source is configured with
  // recordingRules: the p95 read from the recorded series.
  const recordedBackend = await startBackend({ recordingRules: true });
  const recordedBase = `http://127.0.0.1:${recordedBackend.server.port()}`;
  const fleetColdRecorded = await timed(fleetPath, recordedBase);
  const recordedBody = JSON.parse(fleetColdRecorded.body);
  await recordedBackend.stop();
  // Prometheus alone: the five fleet queries, in parallel, uncached.
  const direct = new PrometheusClient({
    source: { name: 'bench', url: ready.prometheusUrl, timeoutMs: 30_000 },
  });
  const directTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await Promise.all([
      direct.instant(istioQueries.requestRate({}, WINDOW_SECONDS)),
      direct.instant(istioQueries.successRatio({}, WINDOW_SECONDS)),
      direct.instant(istioQueries.errorRatio({}, WINDOW_SECONDS, '5xx')),
      direct.instant(istioQueries.latencyQuantile({}, WINDOW_SECONDS, 0.95)),
      direct.instant(istioQueries.mtlsShare({}, WINDOW_SECONDS)),
    ]);
    directTimes.push(performance.now() - t);
  }
  // And each alone, to see which one Prometheus spends its time on.
  const fleetQueries = {
    requestRate: istioQueries.requestRate({}, WINDOW_SECONDS),
    successRatio: istioQueries.successRatio({}, WINDOW_SECONDS),
    ratio5xx: istioQueries.errorRatio({}, WINDOW_SECONDS, '5xx'),
    p95: istioQueries.latencyQuantile({}, WINDOW_SECONDS, 0.95),
    mtlsShare: istioQueries.mtlsShare({}, WINDOW_SECONDS),
    recordedP95: istioQueries.recordedP95Latency({}),
  };
  const perQuery: Record<string, number> = {};
  for (const [label, query] of Object.entries(fleetQueries)) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await direct.instant(query);
      times.push(performance.now() - t);
    }
    perQuery[label] = Math.round(times.sort((a, b) => a - b)[1]);
  }
  await fleetBackend.stop();
  await infra.stop();

  const withFigures = fleetBody.services.filter(
    (s: {
      status: string;
      traffic?: Array<{ figures: { requestsPerSecond: number | null } }>;
    }) =>
      s.status === 'ok' && s.traffic?.[0]?.figures.requestsPerSecond !== null,
  ).length;
  const withWorkloads = fleetBody.services.filter(
    (s: { status: string; clusters?: unknown[] }) =>
      s.status === 'ok' && (s.clusters?.length ?? 0) > 0,
  ).length;

  const rows: Array<[string, string, string, string]> = [];
  const row = (what: string, value: string, target = '', pass?: boolean) =>
    rows.push([what, value, target, verdict(pass)]);
  row('entity page routes', routes.join(', '));
  row(
    'entity page cold',
    `${cold.ms.toFixed(0)} ms, ${coldCalls} cluster calls`,
  );
  row(
    `entity page warm p50 (N=${WARM_RUNS})`,
    `${percentile(warm, 0.5).toFixed(1)} ms`,
  );
  row(
    `entity page warm p95 (N=${WARM_RUNS})`,
    `${percentile(warm, 0.95).toFixed(1)} ms`,
    `<= ${TARGETS.warmEntityP95Ms} ms`,
    percentile(warm, 0.95) <= TARGETS.warmEntityP95Ms,
  );
  for (const [route, times] of perRoute) {
    row(
      `  ${route} alone, warm p50 / p95 (N=${WARM_RUNS / 2})`,
      `${percentile(times, 0.5).toFixed(1)} / ${percentile(times, 0.95).toFixed(
        1,
      )} ms`,
    );
  }
  row(
    'entity page warm cluster calls',
    String(warmCalls),
    String(TARGETS.warmEntityClusterCalls),
    warmCalls === TARGETS.warmEntityClusterCalls,
  );
  row(
    `other entities p50/p95 (N=${WARM_RUNS}, Prometheus uncached)`,
    `${percentile(others, 0.5).toFixed(1)} / ${percentile(others, 0.95).toFixed(
      1,
    )} ms, ${othersCalls} cluster calls`,
  );
  row(
    'fleet cold, p95 from the buckets (default)',
    `${fleetCold.ms.toFixed(0)} ms, ${fleetColdCalls} cluster calls, ${(
      fleetCold.bytes / 1024
    ).toFixed(0)} KiB, ${withP95(fleetBody)} p95s`,
    `<= ${TARGETS.fleetColdMs} ms`,
    fleetCold.ms <= TARGETS.fleetColdMs,
  );
  row(
    'fleet cold, recording rules (recordingRules: true)',
    `${fleetColdRecorded.ms.toFixed(0)} ms, ${withP95(recordedBody)} p95s`,
    `<= ${TARGETS.fleetColdMs} ms`,
    fleetColdRecorded.ms <= TARGETS.fleetColdMs,
  );
  row(
    `fleet warm p50 / p95 (N=${FLEET_WARM_RUNS})`,
    `${percentile(fleetWarm, 0.5).toFixed(1)} / ${percentile(
      fleetWarm,
      0.95,
    ).toFixed(1)} ms, ${fleetWarmCalls} cluster calls`,
    `<= ${TARGETS.fleetWarmMs} ms`,
    percentile(fleetWarm, 0.95) <= TARGETS.fleetWarmMs,
  );
  row(
    'fleet after the cached answers expired',
    `${fleetExpired.ms.toFixed(0)} ms`,
  );
  row(
    'Prometheus alone: 5 fleet queries (p50 of 5)',
    `${percentile(directTimes, 0.5).toFixed(0)} ms`,
  );
  row(
    '  each alone (median of 3)',
    Object.entries(perQuery)
      .map(([label, ms]) => `${label} ${ms}`)
      .join(', ')
      .concat(' ms'),
  );
  row(
    'fleet services (figures / workloads)',
    `${fleetBody.services.length} (${withFigures} / ${withWorkloads})`,
  );
  row(
    'backend process RSS peak / after (heap)',
    `${mb(peakRss)} / ${mb(rssAfter)} MB (heap ${mb(heapAfter)} MB)`,
    `<= ${TARGETS.rssMb} MB`,
    mb(peakRss) <= TARGETS.rssMb,
  );
  row(
    '  of which before the backend started',
    `${mb(rssBeforeBackend)} MB (node, TypeScript transform, test harness)`,
  );
  row(
    '  fleet backend: RSS after GC minus before it started',
    `${signedMb(rssAfter - rssBeforeFleet)} MB`,
  );
  row(
    '  growth: after entity runs / peak',
    `+${mb(rssAfterEntity - rssBeforeBackend)} / +${mb(
      peakRss - rssBeforeBackend,
    )} MB`,
  );
  if (sourceErrors.length > 0)
    row('entity page source errors', String(sourceErrors.length));

  const widths = [0, 1, 2, 3].map(i =>
    Math.max(...rows.map(r => r[i].length), 6),
  );
  console.log(
    `\nmesh-lifecycle backend benchmark, ${new Date().toISOString()}, ` +
      `${cpus().length} cores (${cpus()[0]?.model}), ${mb(
        totalmem(),
      )} MB RAM, node ${process.version}, load average ${loadAtStart.toFixed(
        1,
      )} at start and ${loadavg()[0].toFixed(1)} at end`,
  );
  console.log(
    `${BENCH_SERVICES} services over ${BENCH_CLUSTERS.length} clusters, ` +
      `~${ready.series} Prometheus series; setup ${JSON.stringify(
        ready.setupMs,
      )}; ` +
      `total ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
  for (const r of rows) {
    console.log(
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
  }
  const failed = rows.filter(r => r[3] === 'FAIL').length;
  console.log(failed ? `\n${failed} target(s) missed` : '\nAll targets met');
  // The figures the cost-growth plots are drawn from (plots.ts).
  const results = join(__dirname, 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(
    join(results, `fleet-${BENCH_SERVICES}.json`),
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        services: BENCH_SERVICES,
        clusters: BENCH_CLUSTERS.length,
        series: ready.series,
        entityColdMs: cold.ms,
        entityWarmP50Ms: percentile(warm, 0.5),
        entityWarmP95Ms: percentile(warm, 0.95),
        fleetColdMs: fleetCold.ms,
        fleetColdRecordedMs: fleetColdRecorded.ms,
        fleetWarmP50Ms: percentile(fleetWarm, 0.5),
        fleetWarmP95Ms: percentile(fleetWarm, 0.95),
        fleetAfterExpiryMs: fleetExpired.ms,
        fleetBytes: fleetCold.bytes,
        rssBeforeBackend,
        rssPeak: peakRss,
        rssAfter,
        heapAfter,
        fleetBackendGrowth: rssAfter - rssBeforeFleet,
      },
      null,
      2,
    )}\n`,
  );
  // Informers and sockets of the stopped backends may linger: end here.
  process.exit(failed ? 1 : 0);
}

main().catch(error => {
  // Exiting closes the IPC channel, on which the infra process stops too.
  console.error(error);
  process.exit(2);
});
