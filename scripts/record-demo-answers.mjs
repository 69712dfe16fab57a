// Records real answers of the mesh-lifecycle backend from the demo portal,
// for the frontend's component tests (plugins/mesh-lifecycle/src/__fixtures__/demo/).
// The backend package's tests validate every recorded answer against the
// OpenAPI spec, so the fixtures cannot drift from what the backend serves.
//
//   node scripts/record-demo-answers.mjs            # starts the demo backend
//   BACKEND_URL=http://localhost:7007 node scripts/record-demo-answers.mjs
//
// It waits until the demo mesh shows what the fixtures must show (the catalog
// ingested, a lifecycle history recorded, payment-service's alert firing).
// A second run of the backend, with the test cluster down
// (meshLifecycleDemo.unreachableClusters), records the partial answers
// (`*.cluster-down`), then runs two traffic shifts of checkout-service from
// the templates and records its shifts, then retires legacy-pricing-service
// (refused, then forced) and records its requests, archive and lifecycle;
// it needs the backend started by this script.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { guestToken as demoGuestToken, runTemplate } from './demoApi.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const yarn = join(root, '.yarn/releases/yarn-4.13.0.cjs');
const backendUrl = process.env.BACKEND_URL ?? 'http://localhost:7007';
const out = join(root, 'plugins/mesh-lifecycle/src/__fixtures__/demo');

/** What is recorded: a file name and the plugin route it answers. */
const ANSWERS = [
  [
    'checkout-service.declaration',
    'entities/component/default/checkout-service/declaration',
  ],
  [
    'checkout-service.lifecycle',
    'entities/component/default/checkout-service/lifecycle',
  ],
  ['checkout-service.mesh', 'entities/component/default/checkout-service/mesh'],
  [
    'checkout-service.traffic',
    'entities/component/default/checkout-service/traffic?window=300&range=3600&step=60',
  ],
  [
    'checkout-service.dependencies',
    'entities/component/default/checkout-service/dependencies?window=300',
  ],
  [
    'checkout-service.alerts',
    'entities/component/default/checkout-service/alerts',
  ],
  [
    'checkout-service.history',
    'entities/component/default/checkout-service/history',
  ],
  [
    'legacy-pricing-service.lifecycle',
    'entities/component/default/legacy-pricing-service/lifecycle',
  ],
  [
    'legacy-pricing-service.mesh',
    'entities/component/default/legacy-pricing-service/mesh',
  ],
  [
    'payment-service.lifecycle',
    'entities/component/default/payment-service/lifecycle',
  ],
  [
    'payment-service.alerts',
    'entities/component/default/payment-service/alerts',
  ],
  [
    'search-service.lifecycle',
    'entities/component/default/search-service/lifecycle',
  ],
  ['search-service.mesh', 'entities/component/default/search-service/mesh'],
  ['search-service.alerts', 'entities/component/default/search-service/alerts'],
  [
    'recommendation-service.declaration',
    'entities/component/default/recommendation-service/declaration',
  ],
  [
    'recommendation-service.alerts',
    'entities/component/default/recommendation-service/alerts',
  ],
  [
    'recommendation-service.lifecycle',
    'entities/component/default/recommendation-service/lifecycle',
  ],
  [
    'loyalty-service.lifecycle',
    'entities/component/default/loyalty-service/lifecycle',
  ],
  [
    'loyalty-service.alerts',
    'entities/component/default/loyalty-service/alerts',
  ],
  ['fleet', 'fleet?window=300'],
  ['fleet-phases', 'fleet/phases'],
  // No shift yet: the empty state.
  [
    'payment-service.shifts',
    'entities/component/default/payment-service/shifts',
  ],
  // No retirement requested yet.
  [
    'legacy-pricing-service.retirements',
    'entities/component/default/legacy-pricing-service/retirements',
  ],
  ['fleet-retirements', 'retirements'],
];

/** Recorded after two shifts of checkout-service run from the templates. */
const ANSWERS_AFTER_SHIFTS = [
  [
    'checkout-service.shifts',
    'entities/component/default/checkout-service/shifts',
  ],
];

/**
 * The shifts run through the scaffolder, as the guest (Daniel Okafor, of
 * checkout-service's owners): a blue-green switch judged against a p95
 * threshold v2 cannot meet (rolled back with its figures), then a canary
 * to 100 % (completed).
 */
const SHIFTS = [
  {
    templateRef: 'template:default/blue-green-switch',
    values: {
      entity: 'component:default/checkout-service',
      subset: 'v2',
      pauseSeconds: 30,
      analysis: { maxP95LatencyMs: 100, minRequests: 50 },
    },
    ends: 'failed',
  },
  {
    templateRef: 'template:default/canary-release',
    values: {
      entity: 'component:default/checkout-service',
      subset: 'v2',
      steps: [50, 100],
      pauseSeconds: 30,
    },
    ends: 'completed',
  },
];

/**
 * The retirement of legacy-pricing-service, as the guest (of its owners,
 * team-platform): refused first (inventory-service still calls and depends
 * on it), then forced with a reason. Runs last: it deletes its objects.
 */
const RETIREMENTS = [
  {
    templateRef: 'template:default/retire-service',
    values: {
      entity: 'component:default/legacy-pricing-service',
      reason: 'Replaced by pricing-service',
      drainWindowSeconds: 600,
      migrationPauseSeconds: 10,
    },
    ends: 'failed',
  },
  {
    templateRef: 'template:default/retire-service',
    values: {
      entity: 'component:default/legacy-pricing-service',
      reason: 'Replaced by pricing-service',
      drainWindowSeconds: 600,
      migrationPauseSeconds: 10,
      force: true,
      forceReason:
        'inventory-service moves to pricing-service in its next release; its calls fail over to it',
    },
    ends: 'completed',
  },
];

/** Recorded after the retirement. */
const ANSWERS_AFTER_RETIREMENT = [
  [
    'legacy-pricing-service.retirements.completed',
    'entities/component/default/legacy-pricing-service/retirements',
  ],
  [
    'legacy-pricing-service.lifecycle.retired',
    'entities/component/default/legacy-pricing-service/lifecycle',
  ],
];

/** Recorded with the test cluster down: what a partial answer looks like. */
const DOWN = 'test';
const ANSWERS_CLUSTER_DOWN = [
  [
    'search-service.lifecycle.cluster-down',
    'entities/component/default/search-service/lifecycle',
  ],
  [
    'search-service.mesh.cluster-down',
    'entities/component/default/search-service/mesh',
  ],
  [
    'recommendation-service.mesh.cluster-down',
    'entities/component/default/recommendation-service/mesh',
  ],
  ['fleet.cluster-down', 'fleet?window=300'],
];

async function ok(url, headers = {}) {
  try {
    const response = await fetch(url, {
      headers,
      signal: AbortSignal.timeout(5000),
    });
    return response.ok ? response : undefined;
  } catch {
    return undefined;
  }
}

async function waitFor(what, probe, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    // A backend restarting (it reloads on source changes) refuses for a while.
    if (await probe().catch(() => false)) return;
    await new Promise(resolve => setTimeout(resolve, 2000));
  }
  throw new Error(`${what} did not happen within ${seconds} s`);
}

const guestToken = () => demoGuestToken(backendUrl);

function startBackend(env = {}) {
  const child = spawn(process.execPath, [yarn, 'start'], {
    cwd: join(root, 'examples/backend'),
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...env },
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise(resolve => child.once('exit', resolve));
    try {
      process.kill(-child.pid, 'SIGINT');
    } catch {
      return; // already gone
    }
    await Promise.race([
      exited,
      new Promise(resolve => setTimeout(resolve, 30_000)),
    ]);
    // Wait for the ports to be free for the next run.
    await waitFor(
      'the backend to stop',
      async () => !(await ok(`${backendUrl}/api/mesh-lifecycle/health`)),
      60,
    );
  };
  process.on('exit', () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  return { stop };
}

/** Runs a template through the scaffolder's API; it must end as `task.ends`. */
async function runTask(task) {
  const { status } = await runTemplate(
    backendUrl,
    task.templateRef,
    task.values,
  );
  if (status !== task.ends) {
    throw new Error(`${task.templateRef} ended ${status}, not ${task.ends}`);
  }
  console.log(`${task.templateRef}: ${status}`);
}

async function record(answers, get) {
  for (const [name, path] of answers) {
    const response = await get(path);
    const url = `/${path}`;
    const recorded = {
      request: { method: 'GET', url },
      status: response.status,
      headers: { 'content-type': response.headers.get('content-type') },
      body: await response.json(),
    };
    writeFileSync(
      join(out, `${name}.json`),
      `${JSON.stringify(recorded, null, 2)}\n`,
    );
    console.log(`${response.status} ${url} → ${name}.json`);
  }
}

async function connect() {
  await waitFor(
    'the backend',
    () => ok(`${backendUrl}/api/mesh-lifecycle/health`),
    300,
  );
  const headers = { authorization: `Bearer ${await guestToken()}` };
  const get = path =>
    fetch(`${backendUrl}/api/mesh-lifecycle/${path}`, { headers });
  await waitFor(
    'the catalog',
    async () =>
      (await (await get('fleet/phases')).json()).services?.length >= 11,
    300,
  );
  return get;
}

const own = !process.env.BACKEND_URL;
let backend = own ? startBackend() : undefined;
try {
  const get = await connect();
  await waitFor(
    "payment-service's firing alert",
    async () =>
      JSON.stringify(
        await (
          await get('entities/component/default/payment-service/alerts')
        ).json(),
      ).includes('"state":"firing"'),
    300,
  );

  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await record(ANSWERS, get);
  const names = ANSWERS.map(([name]) => name);

  if (own) {
    await backend.stop();
    backend = startBackend({
      APP_CONFIG_meshLifecycleDemo_unreachableClusters: JSON.stringify([DOWN]),
    });
    const getDown = await connect();
    await waitFor(
      `cluster ${DOWN} to be reported down`,
      async () =>
        JSON.stringify(
          await (
            await getDown('entities/component/default/search-service/mesh')
          ).json(),
        ).includes('"status":"error"'),
      120,
    );
    await record(ANSWERS_CLUSTER_DOWN, getDown);
    names.push(...ANSWERS_CLUSTER_DOWN.map(([name]) => name));

    // Shifts move checkout-service's traffic: recorded last, on prod.
    for (const task of SHIFTS) await runTask(task);
    await record(ANSWERS_AFTER_SHIFTS, getDown);
    names.push(...ANSWERS_AFTER_SHIFTS.map(([name]) => name));

    // The retirement deletes legacy-pricing-service's objects: last.
    const [refused, forced] = RETIREMENTS;
    await runTask(refused);
    await record([['fleet-retirements.refused', 'retirements']], getDown);
    names.push('fleet-retirements.refused');
    await runTask(forced);
    await record(ANSWERS_AFTER_RETIREMENT, getDown);
    names.push(...ANSWERS_AFTER_RETIREMENT.map(([name]) => name));
    const [retired] = (
      await (
        await getDown(
          'entities/component/default/legacy-pricing-service/retirements',
        )
      ).json()
    ).retirements;
    await record(
      [
        [
          'legacy-pricing-service.archive',
          `retirements/${encodeURIComponent(retired.id)}/archive`,
        ],
      ],
      getDown,
    );
    names.push('legacy-pricing-service.archive');
  } else {
    console.log(
      'BACKEND_URL given: the answers with a cluster down are not recorded',
    );
  }

  // The tests import the answers through this index (frontend packages may
  // not read files at run time).
  const ident = name => name.replace(/[.-](\w)/g, (_, c) => c.toUpperCase());
  writeFileSync(
    join(out, 'index.ts'),
    [
      '// Written by scripts/record-demo-answers.mjs: the answers of the demo',
      '// backend, recorded for the component tests. Do not edit.',
      ...names.map(name => `import ${ident(name)} from './${name}.json';`),
      '',
      '/** The recorded answers by name, e.g. `payment-service.alerts`. */',
      'export const RECORDED_ANSWERS = {',
      ...names.map(name => `  '${name}': ${ident(name)},`),
      '};',
      '',
    ].join('\n'),
  );
  // Written as the repository's formatting check wants them.
  spawnSync(
    process.execPath,
    [join(root, 'node_modules/prettier/bin-prettier.js'), '--write', out],
    { stdio: 'inherit' },
  );
  console.log(`${names.length} answers recorded in ${out}`);
} finally {
  await backend?.stop();
}
