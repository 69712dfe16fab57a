/*
 * Side-by-side benchmark (not a test): Mesh Lifecycle's entity mesh endpoint
 * against the Kubernetes plugin's (`@backstage/plugin-kubernetes-backend`,
 * a devDependency used here only) on the same emulated clusters. See
 * README.md in this folder for how to run it and what it last measured.
 *
 *   node --expose-gc -r @backstage/cli/config/nodeTransform.cjs bench/sideBySide.ts [--quick]
 */
import { ChildProcess, fork } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  API_LATENCY_MS,
  BackendMessage,
  BackendRequest,
  ClustersMessage,
  ClustersRequest,
  EmulatedCluster,
  System,
} from './sideBySideProtocol';
import { VIEWED_SERVICE } from './sideBySideObjects';

const QUICK = process.argv.includes('--quick');
const SIZES = QUICK ? [50] : [50, 1_000];
const CLUSTER_COUNTS = QUICK ? [1, 5] : [1, 5, 20, 50];
/** Warm views asked by one client, and by each of 20 clients at once. */
const WARM_VIEWS_ONE = 20;
const WARM_VIEWS_EACH_OF_20 = 5;
/** A warm run stops asking after this long (the Kubernetes plugin at 50 clusters is slow). */
const WARM_BUDGET_MS = 60_000;
const VIEW_TIMEOUT_MS = 60_000;

const TARGETS = {
  /** At 20 clusters: our warm p95 at least this many times lower. */
  warmP95Ratio: 20,
  /** At every size: our cold first view at least this many times faster. */
  coldRatio: 3,
  /** Upstream calls per warm view. */
  warmCalls: 0,
};

/** A child process spoken to over IPC, one answer per request in order. */
class Child<Request, Message extends { type: string }> {
  readonly process: ChildProcess;
  private readonly waiting: Array<(message: Message) => void> = [];

  constructor(script: string, args: string[] = []) {
    this.process = fork(join(__dirname, script), args, {
      execArgv: [
        '--expose-gc',
        '-r',
        '@backstage/cli/config/nodeTransform.cjs',
      ],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.process.on('message', (message: Message | { type: 'watch' }) => {
      // The TypeScript transform reports the files it loads; not ours.
      if (message.type === 'watch') return;
      this.waiting.shift()?.(message as Message);
    });
  }

  async ask<T extends Message['type']>(
    type: T,
    request?: Request,
  ): Promise<Extract<Message, { type: T }>> {
    const message = await new Promise<Message>(resolve => {
      this.waiting.push(resolve);
      if (request) this.process.send(request as object);
    });
    if (message.type !== type) {
      throw new Error(
        `expected ${type}, got ${JSON.stringify(message).slice(0, 2000)}`,
      );
    }
    return message as Extract<Message, { type: T }>;
  }

  async stop(request: Request) {
    const exited = new Promise(resolve => this.process.once('exit', resolve));
    this.process.send(request as object);
    await exited;
  }
}

interface View {
  ms: number;
  ok: boolean;
  /** Clusters the answer says failed. */
  clusterErrors: number;
  /** Clusters in which the answer found the viewed Deployment. */
  found: number;
  /** What the first failing cluster's error said. */
  error?: string;
}

/** One view of the entity's mesh page, as each plugin's frontend asks for it. */
async function view(system: System, base: string): Promise<View> {
  const t = performance.now();
  const signal = AbortSignal.timeout(VIEW_TIMEOUT_MS);
  try {
    const response =
      system === 'mesh-lifecycle'
        ? await fetch(
            `${base}/api/mesh-lifecycle/entities/component/default/${VIEWED_SERVICE}/mesh`,
            { signal },
          )
        : await fetch(`${base}/api/kubernetes/services/${VIEWED_SERVICE}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              entity: {
                kind: 'Component',
                metadata: { name: VIEWED_SERVICE, namespace: 'default' },
              },
            }),
            signal,
          });
    const text = await response.text();
    const ms = performance.now() - t;
    if (response.status !== 200) {
      return {
        ms,
        ok: false,
        clusterErrors: 0,
        found: 0,
        error: `HTTP ${response.status}: ${text.slice(0, 200)}`,
      };
    }
    return { ms, ok: true, ...readAnswer(system, JSON.parse(text)) };
  } catch (error) {
    return {
      ms: performance.now() - t,
      ok: false,
      clusterErrors: 0,
      found: 0,
      error: String(error),
    };
  }
}

function readAnswer(
  system: System,
  body: unknown,
): { clusterErrors: number; found: number; error?: string } {
  const answer = body as Record<string, unknown>;
  if (system === 'mesh-lifecycle') {
    const clusters = (answer.clusters ?? []) as Array<{
      status: string;
      error?: { message: string };
      workloads?: Array<{ name: string }>;
    }>;
    const failed = clusters.filter(c => c.status === 'error');
    return {
      ...(failed[0] ? { error: failed[0].error?.message } : {}),
      clusterErrors: failed.length,
      found: clusters.filter(c =>
        (c.workloads ?? []).some(w => w.name === VIEWED_SERVICE),
      ).length,
    };
  }
  const items = (answer.items ?? []) as Array<{
    errors: unknown[];
    resources: Array<{
      type: string;
      resources: Array<{ metadata: { name: string } }>;
    }>;
  }>;
  const failed = items.filter(i => i.errors.length > 0);
  return {
    ...(failed[0] ? { error: JSON.stringify(failed[0].errors[0]) } : {}),
    clusterErrors: failed.length,
    found: items.filter(i =>
      i.resources.some(
        r =>
          r.type === 'deployments' &&
          r.resources.some(d => d.metadata.name === VIEWED_SERVICE),
      ),
    ).length,
  };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

function errorOf(views: View[]): { error?: string } {
  const error = views.find(v => v.error)?.error;
  return error ? { error: error.slice(0, 300) } : {};
}

interface Run {
  views: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  viewsPerSecond: number;
  callsPerView: number;
  found: number;
  error?: string;
}

async function warmRun(
  system: System,
  base: string,
  clients: number,
  viewsEach: number,
  calls: () => Promise<number>,
): Promise<Run> {
  const before = await calls();
  const deadline = performance.now() + WARM_BUDGET_MS;
  const views: View[] = [];
  const t = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < viewsEach && performance.now() < deadline; i++) {
        views.push(await view(system, base));
      }
    }),
  );
  const elapsed = performance.now() - t;
  const made = (await calls()) - before;
  const times = views.map(v => v.ms);
  return {
    views: views.length,
    errors: views.filter(v => !v.ok || v.clusterErrors > 0).length,
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    p99: percentile(times, 0.99),
    viewsPerSecond: (views.length / elapsed) * 1000,
    callsPerView: made / views.length,
    found: Math.min(...views.map(v => v.found)),
    ...errorOf(views),
  };
}

interface Measure {
  system: System;
  clusters: number;
  objectsPerCluster: number;
  startMs: number;
  cold: {
    ms: number;
    calls: number;
    ok: boolean;
    clusterErrors: number;
    found: number;
  };
  /** Mesh Lifecycle only: the first view of a backend started without warming its caches. */
  lazyCold?: { ms: number; calls: number; startMs: number };
  error?: string;
  cold20: { p50: number; max: number; calls: number; errors: number };
  warm1: Run;
  warm20: Run;
  memory: { peakRss: number; rss: number; heapUsed: number; rssBefore: number };
}

async function startBackend(
  system: System,
  clusters: EmulatedCluster[],
  warmOnStart = true,
) {
  const backend = new Child<BackendRequest, BackendMessage>(
    'sideBySideBackend.ts',
  );
  const ready = await backend.ask('ready', {
    type: 'start',
    system,
    clusters,
    warmOnStart,
  });
  return {
    backend,
    base: `http://127.0.0.1:${ready.port}`,
    startMs: ready.startMs,
  };
}

async function measure(
  system: System,
  clusters: EmulatedCluster[],
  objectsPerCluster: number,
  calls: () => Promise<number>,
): Promise<Measure> {
  // Twenty viewers at once on a backend just started.
  const first = await startBackend(system, clusters);
  let before = await calls();
  const cold20Views = await Promise.all(
    Array.from({ length: 20 }, () => view(system, first.base)),
  );
  const cold20Calls = (await calls()) - before;
  await first.backend.stop({ type: 'stop' });

  // Mesh Lifecycle without warming its caches at start: the first view lists.
  let lazyCold: Measure['lazyCold'];
  if (system === 'mesh-lifecycle') {
    const lazy = await startBackend(system, clusters, false);
    before = await calls();
    const lazyView = await view(system, lazy.base);
    lazyCold = {
      ms: lazyView.ms,
      calls: (await calls()) - before,
      startMs: lazy.startMs,
    };
    await lazy.backend.stop({ type: 'stop' });
  }

  // One viewer on a backend just started, then warm runs.
  const { backend, base, startMs } = await startBackend(system, clusters);
  before = await calls();
  const coldView = await view(system, base);
  const coldCalls = (await calls()) - before;
  const warm1 = await warmRun(system, base, 1, WARM_VIEWS_ONE, calls);
  const warm20 = await warmRun(system, base, 20, WARM_VIEWS_EACH_OF_20, calls);
  const memory = await backend.ask('memory', { type: 'memory' });
  await backend.stop({ type: 'stop' });
  const cold20Times = cold20Views.map(v => v.ms);
  return {
    system,
    clusters: clusters.length,
    objectsPerCluster,
    startMs,
    cold: {
      ms: coldView.ms,
      calls: coldCalls,
      ok: coldView.ok,
      clusterErrors: coldView.clusterErrors,
      found: coldView.found,
    },
    cold20: {
      p50: percentile(cold20Times, 0.5),
      max: Math.max(...cold20Times),
      calls: cold20Calls,
      errors: cold20Views.filter(v => !v.ok || v.clusterErrors > 0).length,
    },
    ...(lazyCold ? { lazyCold } : {}),
    ...errorOf([...cold20Views, coldView]),
    warm1,
    warm20,
    memory: {
      peakRss: memory.peakRss,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      rssBefore: memory.rssBefore,
    },
  };
}

function fmt(value: number): string {
  if (Number.isNaN(value)) return '—';
  return value < 10 ? value.toFixed(1) : Math.round(value).toString();
}
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
function ratio(theirs: number, ours: number): string {
  if (ours > 0) return `${(theirs / ours).toFixed(1)}×`;
  return theirs > 0 ? '∞' : '—';
}

function table(ours: Measure, theirs: Measure): string[] {
  const rows: Array<[string, string, string, string]> = [
    [
      'backend start until ready, ms',
      fmt(ours.startMs),
      fmt(theirs.startMs),
      ratio(theirs.startMs, ours.startMs),
    ],
    [
      'cold view (1 client), ms',
      fmt(ours.cold.ms),
      fmt(theirs.cold.ms),
      ratio(theirs.cold.ms, ours.cold.ms),
    ],
    [
      'cold view, upstream calls',
      String(ours.cold.calls),
      String(theirs.cold.calls),
      ratio(theirs.cold.calls, ours.cold.calls),
    ],
    [
      'cold, 20 clients at once: p50 / max ms',
      `${fmt(ours.cold20.p50)} / ${fmt(ours.cold20.max)}`,
      `${fmt(theirs.cold20.p50)} / ${fmt(theirs.cold20.max)}`,
      ratio(theirs.cold20.max, ours.cold20.max),
    ],
    [
      'cold, 20 clients: upstream calls, errors',
      `${ours.cold20.calls}, ${ours.cold20.errors}`,
      `${theirs.cold20.calls}, ${theirs.cold20.errors}`,
      ratio(theirs.cold20.calls, ours.cold20.calls),
    ],
  ];
  for (const [label, key] of [
    ['warm, 1 client', 'warm1'],
    ['warm, 20 clients', 'warm20'],
  ] as const) {
    const a = ours[key];
    const b = theirs[key];
    rows.push(
      [
        `${label}: p50 / p95 / p99 ms`,
        `${fmt(a.p50)} / ${fmt(a.p95)} / ${fmt(a.p99)}`,
        `${fmt(b.p50)} / ${fmt(b.p95)} / ${fmt(b.p99)}`,
        ratio(b.p95, a.p95),
      ],
      [
        `${label}: views/s (views, errors)`,
        `${a.viewsPerSecond.toFixed(1)} (${a.views}, ${a.errors})`,
        `${b.viewsPerSecond.toFixed(1)} (${b.views}, ${b.errors})`,
        ratio(a.viewsPerSecond, b.viewsPerSecond),
      ],
      [
        `${label}: upstream calls per view`,
        a.callsPerView.toFixed(1),
        b.callsPerView.toFixed(1),
        ratio(b.callsPerView, a.callsPerView),
      ],
    );
  }
  if (ours.lazyCold) {
    rows.push(
      [
        'without warming at start: start / first view ms',
        `${fmt(ours.lazyCold.startMs)} / ${fmt(ours.lazyCold.ms)}`,
        `— / ${fmt(theirs.cold.ms)}`,
        ratio(theirs.cold.ms, ours.lazyCold.ms),
      ],
      [
        'without warming at start: first view calls',
        String(ours.lazyCold.calls),
        String(theirs.cold.calls),
        ratio(theirs.cold.calls, ours.lazyCold.calls),
      ],
    );
  }
  rows.push(
    [
      'RSS peak / after GC, MB',
      `${mb(ours.memory.peakRss)} / ${mb(ours.memory.rss)}`,
      `${mb(theirs.memory.peakRss)} / ${mb(theirs.memory.rss)}`,
      ratio(theirs.memory.peakRss, ours.memory.peakRss),
    ],
    [
      'RSS growth over the harness (peak), MB',
      `+${mb(ours.memory.peakRss - ours.memory.rssBefore)}`,
      `+${mb(theirs.memory.peakRss - theirs.memory.rssBefore)}`,
      ratio(
        theirs.memory.peakRss - theirs.memory.rssBefore,
        ours.memory.peakRss - ours.memory.rssBefore,
      ),
    ],
    [
      'clusters where the Deployment was found',
      String(ours.warm1.found),
      String(theirs.warm1.found),
      '',
    ],
  );
  const errors = [ours, theirs].flatMap(m => {
    const error = m.error ?? m.warm1.error ?? m.warm20.error;
    return error ? [`  ${m.system}'s first error: ${error}`] : [];
  });
  return [
    ...rows.map(
      ([label, a, b, r]) =>
        `  ${label.padEnd(48)}${a.padStart(18)}${b.padStart(24)}${r.padStart(
          9,
        )}`,
    ),
    ...errors,
  ];
}

async function main() {
  const started = Date.now();
  const lines: string[] = [
    `side-by-side benchmark, ${new Date().toISOString()}, ${
      cpus().length
    } cores (${cpus()[0]?.model ?? '?'}), ${Math.round(
      totalmem() / 1024 / 1024,
    )} MB RAM, node ${process.version}, load average ${loadavg()[0].toFixed(
      1,
    )} at start`,
    `each API call answered after ${API_LATENCY_MS} ms, over TLS; the entity has only backstage.io/kubernetes-id (no namespace)`,
  ];
  const print = (line: string) => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  lines.forEach(line => process.stdout.write(`${line}\n`));
  const results: Measure[] = [];
  const verdicts: string[] = [];
  for (const size of SIZES) {
    const most = Math.max(...CLUSTER_COUNTS);
    const emulated = new Child<ClustersRequest, ClustersMessage>(
      'sideBySideClusters.ts',
      [String(most), String(size)],
    );
    const ready = await emulated.ask('ready');
    const calls = async () =>
      (await emulated.ask('calls', { type: 'calls' })).calls;
    for (const count of CLUSTER_COUNTS) {
      const clusters = ready.clusters.slice(0, count);
      const [ours, theirs] = [
        await measure(
          'mesh-lifecycle',
          clusters,
          ready.objectsPerCluster,
          calls,
        ),
        await measure('kubernetes', clusters, ready.objectsPerCluster, calls),
      ];
      results.push(ours, theirs);
      print('');
      print(
        `${count} cluster(s) × ${ready.objectsPerCluster} objects${' '.repeat(
          Math.max(
            0,
            27 - String(count).length - String(ready.objectsPerCluster).length,
          ),
        )}${'mesh-lifecycle'.padStart(22)}${'kubernetes plugin'.padStart(
          24,
        )}${'ratio'.padStart(9)}`,
      );
      table(ours, theirs).forEach(print);
      const coldRatio = theirs.cold.ms / ours.cold.ms;
      verdicts.push(
        `cold view ≥ ${TARGETS.coldRatio}× faster at ${count} × ${
          ready.objectsPerCluster
        }: ${coldRatio.toFixed(1)}× ${
          coldRatio >= TARGETS.coldRatio ? 'PASS' : 'FAIL'
        }`,
      );
      if (count === 20) {
        const warmRatio = theirs.warm20.p95 / ours.warm20.p95;
        verdicts.push(
          `warm p95 (20 clients) ≥ ${TARGETS.warmP95Ratio}× lower at 20 × ${
            ready.objectsPerCluster
          }: ${warmRatio.toFixed(1)}× ${
            warmRatio >= TARGETS.warmP95Ratio ? 'PASS' : 'FAIL'
          }`,
          `warm upstream calls per view at 20 × ${
            ready.objectsPerCluster
          }: ${ours.warm20.callsPerView.toFixed(1)} ${
            ours.warm20.callsPerView <= TARGETS.warmCalls ? 'PASS' : 'FAIL'
          }`,
        );
      }
    }
    await emulated.stop({ type: 'stop' });
  }
  print('');
  verdicts.forEach(print);
  const missed = verdicts.filter(v => v.endsWith('FAIL')).length;
  print(
    `${missed} target(s) missed; load average ${loadavg()[0].toFixed(
      1,
    )} at end; total ${Math.round((Date.now() - started) / 1000)} s`,
  );
  const out = join(__dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, QUICK ? 'side-by-side.quick.json' : 'side-by-side.json'),
    `${JSON.stringify({ lines, results }, null, 2)}\n`,
  );
  process.exitCode = missed > 0 ? 1 : 0;
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(2);
});
