/*
 * Memory of a production build (not a test): Mesh Lifecycle's compiled
 * backend (productionBackend.cjs: plain Node.js, Backstage's own services,
 * no test harness) with 20 emulated clusters of ~1,000 objects each, its
 * caches warmed at start, then 20 clients viewing an entity's page. Target:
 * RSS ≤ 300 MB (the exit code says whether it holds with Node.js's default
 * heap sizing). Needs the packages built: `yarn tsc && yarn build:packages`
 * at the repository root.
 *
 *   node -r @backstage/cli/config/nodeTransform.cjs bench/productionMemory.ts [clusters] [objects]
 */
import { execFileSync, fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ClustersMessage,
  ClustersRequest,
  kubernetesClustersConfig,
  waitForMessage,
} from './sideBySideProtocol';
import { VIEWED_SERVICE, viewedEntity } from './sideBySideObjects';

const TARGET_MB = 300;
/**
 * Node.js settings a production host may run its backend with (settings of
 * the whole process, not of a plugin), each measured with the configuration
 * schema built ahead: a smaller young generation (V8 grows each of its two
 * semi-spaces to 16 MB by default under the allocation of a cache warming
 * up), and V8 favouring memory over speed (a command-line flag, not allowed in
 * NODE_OPTIONS).
 */
const HOST_SETTINGS = [
  ['--max-semi-space-size=4'],
  ['--optimize-for-size'],
] as const;
const ROUTES = ['declaration', 'mesh', 'lifecycle', 'history', 'shifts'];
const PAGES = 121;
const TOKEN = 'bench-production-memory-token-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** The process's resident set, from /proc (Linux). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN);
  return kb * 1024;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const signed = (bytes: number) =>
  `${bytes < 0 ? '−' : '+'}${Math.abs(mb(bytes))}`;

async function main() {
  const args = process.argv.slice(2);
  /** `--quick`: only the judged run (schema built ahead, Node.js defaults), three times. */
  const quick = args.includes('--quick');
  const [clusterArg, sizeArg] = args.filter(a => !a.startsWith('--'));
  const clusterCount = Number(clusterArg ?? 20);
  const size = Number(sizeArg ?? 1_000);
  const dist = join(__dirname, '..', 'dist', 'index.cjs.js');
  if (!existsSync(dist)) {
    throw new Error(
      `${dist} is missing: run \`yarn tsc && yarn build:packages\` at the repository root first`,
    );
  }
  const emulated = fork(
    join(__dirname, 'sideBySideClusters.ts'),
    [String(clusterCount), String(size)],
    {
      execArgv: ['-r', '@backstage/cli/config/nodeTransform.cjs'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  const ready = await waitForMessage<
    Extract<ClustersMessage, { type: 'ready' }>
  >(emulated, 'ready');

  const dir = mkdtempSync(join(tmpdir(), 'mesh-production-memory-'));
  const entitiesPath = join(dir, 'entities.json');
  writeFileSync(entitiesPath, JSON.stringify({ entities: [viewedEntity] }));
  const kubernetes = kubernetesClustersConfig(ready.clusters);

  /** Starts the compiled backend, views the entity's page, and samples its RSS. */
  const run = async (
    withClusters: boolean,
    schemaPath?: string,
    nodeOptions: string[] = [],
  ) => {
    const port = await freePort();
    const configPath = join(dir, `app-config.${port}.json`);
    writeFileSync(
      configPath,
      JSON.stringify({
        backend: {
          baseUrl: `http://127.0.0.1:${port}`,
          listen: { port, host: '127.0.0.1' },
          database: { client: 'better-sqlite3', connection: ':memory:' },
          auth: {
            externalAccess: [
              { type: 'static', options: { token: TOKEN, subject: 'bench' } },
            ],
          },
        },
        ...(withClusters ? { kubernetes } : {}),
        meshLifecycle: { caches: { startupWait: '60s' } },
      }),
    );
    const started = performance.now();
    const backend = fork(
      join(__dirname, 'productionBackend.cjs'),
      ['--config', configPath],
      {
        cwd: join(__dirname, '..'),
        env: {
          ...process.env,
          MESH_BENCH_ENTITIES: entitiesPath,
          ...(schemaPath ? { MESH_BENCH_CONFIG_SCHEMA: schemaPath } : {}),
        },
        execArgv: nodeOptions,
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      },
    );
    const pid = backend.pid!;
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(pid));
    }, 20);
    await waitForMessage(backend, 'ready');
    const startMs = performance.now() - started;
    const whenReady = rssOf(pid);
    const peakUntilReady = Math.max(peak, whenReady);

    const base = `http://127.0.0.1:${port}/api/mesh-lifecycle/entities/component/default/${VIEWED_SERVICE}`;
    let failures = 0;
    const page = () =>
      Promise.all(
        ROUTES.map(async route => {
          const response = await fetch(`${base}/${route}`, {
            headers: { authorization: `Bearer ${TOKEN}` },
          });
          await response.arrayBuffer();
          if (response.status !== 200) failures += 1;
        }),
      );
    const viewsStarted = performance.now();
    await page();
    for (let i = 0; i < 5; i++) {
      await Promise.all(Array.from({ length: 20 }, () => page()));
    }
    // The lifecycle answers' cache expires: views compute them again.
    await new Promise(resolve => setTimeout(resolve, 11_000));
    await Promise.all(Array.from({ length: 20 }, () => page()));
    // The 11 s pause aside.
    const viewsMs = performance.now() - viewsStarted - 11_000;
    const afterViews = rssOf(pid);
    clearInterval(sampler);
    const exited = new Promise(resolve => backend.once('exit', resolve));
    backend.kill('SIGTERM');
    await exited;
    return {
      startMs,
      viewsMs,
      whenReady,
      peakUntilReady,
      afterViews,
      peak,
      failures,
    };
  };

  // The configuration schema built ahead, as a production image can
  // (`backstage-cli config:schema --format json` when the image is built).
  const schemaPath = join(dir, 'config-schema.json');
  writeFileSync(
    schemaPath,
    execFileSync(
      join(__dirname, '../../../node_modules/.bin/backstage-cli'),
      ['config:schema', '--format', 'json'],
      { cwd: join(__dirname, '..'), maxBuffer: 64 * 1024 * 1024 },
    ),
  );
  if (quick) {
    let worst = 0;
    let failed = 0;
    for (let i = 0; i < 3; i++) {
      const r = await run(true, schemaPath);
      worst = Math.max(worst, r.peak);
      failed += r.failures;
      process.stdout.write(
        `${clusterCount} × ${
          ready.objectsPerCluster
        } objects, built: peak until ready ${mb(
          r.peakUntilReady,
        )} MB, ready ${mb(r.whenReady)} MB, after the views ${mb(
          r.afterViews,
        )} MB, peak ${mb(r.peak)} MB, start ${Math.round(
          r.startMs,
        )} ms, views ${Math.round(r.viewsMs)} ms, failed answers ${
          r.failures
        }\n`,
      );
    }
    emulated.send({ type: 'stop' } satisfies ClustersRequest);
    process.exitCode = mb(worst) <= TARGET_MB && failed === 0 ? 0 : 1;
    return;
  }
  const runs = {
    host: await run(false),
    loaded: await run(true),
    builtHost: await run(false, schemaPath),
    builtLoaded: await run(true, schemaPath),
  };
  const settings = [];
  for (const flags of HOST_SETTINGS) {
    settings.push({
      flags: flags.join(' '),
      host: await run(false, schemaPath, [...flags]),
      loaded: await run(true, schemaPath, [...flags]),
    });
  }
  const share = runs.loaded.peak - runs.host.peak;
  const builtShare = runs.builtLoaded.peak - runs.builtHost.peak;
  const objects = clusterCount * ready.objectsPerCluster;
  const cluster = `${clusterCount} × ${ready.objectsPerCluster} objects`;
  const column = (text: string) => text.padStart(28);
  const verdict = (peak: number) =>
    `${mb(peak)} MB <= ${TARGET_MB} MB: ${
      mb(peak) <= TARGET_MB ? 'PASS' : 'FAIL'
    }`;
  const lines = [
    `production memory, ${new Date().toISOString()}, node ${process.version}`,
    `compiled backend (Backstage's services from backend-defaults, SQLite in memory, in-memory catalog), no test harness; ${PAGES} entity pages × ${
      ROUTES.length
    } routes (${ROUTES.join(', ')}), 20 at a time`,
    `configuration schema compiled at start (Backstage's default) | built ahead (backstage-cli config:schema)`,
    `${''.padEnd(32)}${[
      'no cluster',
      cluster,
      'no cluster, built',
      `${cluster}, built`,
    ]
      .map(column)
      .join('')}`,
    ...(
      [
        [
          'start until ready, ms',
          'startMs',
          (v: number) => String(Math.round(v)),
        ],
        ['views, ms', 'viewsMs', (v: number) => String(Math.round(v))],
        ['RSS when ready, MB', 'whenReady', (v: number) => String(mb(v))],
        ['RSS after the views, MB', 'afterViews', (v: number) => String(mb(v))],
        ['RSS peak, MB', 'peak', (v: number) => String(mb(v))],
        ['failed answers', 'failures', (v: number) => String(v)],
      ] as const
    ).map(
      ([label, key, format]) =>
        `${label.padEnd(32)}${[
          runs.host,
          runs.loaded,
          runs.builtHost,
          runs.builtLoaded,
        ]
          .map(r => column(format(r[key])))
          .join('')}`,
    ),
    // The stock host's own peak (compiling the schema) can hide the share.
    `Mesh Lifecycle's caches, watches and views at peak: ${signed(
      builtShare,
    )} MB with the schema built ahead (${Math.round(
      builtShare / objects,
    )} bytes per cluster object), ${signed(
      share,
    )} MB beside the stock host's own peak`,
    `RSS peak with the schema built ahead ${verdict(runs.builtLoaded.peak)}`,
    `RSS peak with the schema compiled at start ${verdict(
      runs.loaded.peak,
    )} (the backend without any cluster peaks at ${mb(runs.host.peak)} MB)`,
    `host settings (node flags), schema built ahead: RSS peak without clusters / with ${cluster} (Mesh Lifecycle's share), views, start`,
    ...settings.map(
      ({ flags, host, loaded }) =>
        `  ${flags.padEnd(28)}${mb(host.peak)} / ${mb(
          loaded.peak,
        )} MB (${signed(loaded.peak - host.peak)} MB), views ${Math.round(
          loaded.viewsMs,
        )} ms, start ${Math.round(loaded.startMs)} ms, failed answers ${
          host.failures + loaded.failures
        }: ${verdict(loaded.peak)}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const failures = [
    ...Object.values(runs),
    ...settings.flatMap(({ host, loaded }) => [host, loaded]),
  ].reduce((n, r) => n + r.failures, 0);
  emulated.send({ type: 'stop' } satisfies ClustersRequest);
  process.exitCode =
    mb(runs.builtLoaded.peak) <= TARGET_MB && failures === 0 ? 0 : 1;
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(2);
});
