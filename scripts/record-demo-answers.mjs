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
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
    if (await probe()) return;
    await new Promise(resolve => setTimeout(resolve, 2000));
  }
  throw new Error(`${what} did not happen within ${seconds} s`);
}

async function guestToken() {
  const response = await fetch(`${backendUrl}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!response.ok) throw new Error(`guest sign-in: HTTP ${response.status}`);
  return (await response.json()).backstageIdentity.token;
}

let backend;
if (!process.env.BACKEND_URL) {
  backend = spawn(process.execPath, [yarn, 'start'], {
    cwd: join(root, 'examples/backend'),
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
const stop = () => {
  if (backend && backend.exitCode === null) {
    try {
      process.kill(-backend.pid, 'SIGINT');
    } catch {
      // already gone
    }
  }
};
process.on('exit', stop);

try {
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
  for (const [name, path] of ANSWERS) {
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
  // The tests import the answers through this index (frontend packages may
  // not read files at run time).
  const names = ANSWERS.map(([name]) => name);
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
  console.log(`${names.length} answers recorded in ${out}`);
} finally {
  stop();
}
