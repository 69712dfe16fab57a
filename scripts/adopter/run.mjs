// The adopter test: a stock Backstage app, made by @backstage/create-app from
// the npm registry under Node.js 22, gets our packed packages wired in by the
// README's "Installing into an existing Backstage app" steps (applied by
// readmeSteps.mjs, which fails on a missing step), then `yarn install`,
// `yarn tsc:full` and `yarn build:all`; started against the test kit's
// emulated clusters and real Prometheus, it is checked in Chromium: an entity
// page shows our cards with live figures, and the mesh-service template runs.
//
//   node scripts/adopter/run.mjs [workDir]
//
// Needs the packages built (`yarn build:packages`). What stands in for the
// npm registry or this machine is said where it is done.
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyReadmeSteps } from './readmeSteps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const work = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'mesh-adopter-'));
const app = join(work, 'app');
const CREATE_APP = '@backstage/create-app@0.9.2';
// Ports of their own, so that the demo portal may run beside it.
const APP_URL = 'http://localhost:3010';
const BACKEND_URL = 'http://localhost:7017';
const RELEASE = JSON.parse(
  readFileSync(join(root, 'backstage.json'), 'utf8'),
).version;

const step = title => console.log(`--- adopter: ${title}`);
const run = (command, args, options = {}) =>
  execFileSync(command, args, { stdio: 'inherit', ...options });

/** Node.js 22 from the npm registry, with its headers for native builds. */
function node22() {
  const bin = execFileSync(
    'npx',
    [
      '-y',
      '-p',
      'node@22',
      'node',
      '-e',
      'process.stdout.write(process.execPath)',
    ],
    { encoding: 'utf8' },
  );
  const [version, target] = execFileSync(
    bin,
    [
      '-p',
      'process.version.slice(1) + " " + process.platform + "-" + process.arch',
    ],
    { encoding: 'utf8' },
  )
    .trim()
    .split(' ');
  const headers = join(work, `node-headers-${version}`);
  if (!existsSync(join(headers, 'package/include/node/node.h'))) {
    mkdirSync(headers, { recursive: true });
    // node-gyp would download them from nodejs.org, out of reach here.
    run('npm', ['pack', `node-${target}@${version}`, '--silent'], {
      cwd: headers,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    run('tar', ['xzf', `node-${target}-${version}.tgz`], { cwd: headers });
  }
  return { bin, nodedir: join(headers, 'package') };
}

const node = node22();
const shims = join(work, 'bin');
mkdirSync(shims, { recursive: true });
// No global yarn on this machine: this repository's Yarn, which hands over to
// the app's own (its .yarnrc.yml yarnPath).
writeFileSync(
  join(shims, 'yarn'),
  `#!/bin/sh\nexec "${node.bin}" "${join(
    root,
    '.yarn/releases/yarn-4.13.0.cjs',
  )}" "$@"\n`,
  { mode: 0o755 },
);
const env = {
  ...process.env,
  PATH: [shims, dirname(node.bin), process.env.PATH].join(':'),
  npm_config_nodedir: node.nodedir,
  CI: 'true',
  // A new app's lockfile changes with what is added to it.
  YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
};
const inApp = (args, options = {}) =>
  run('yarn', args, { cwd: app, env, ...options });

// ADOPTER_REUSE=1 starts an app built by an earlier run (to debug the last part).
if (process.env.ADOPTER_REUSE !== '1') {
  step(`a stock app from ${CREATE_APP} (Node.js ${node.bin})`);
  rmSync(app, { recursive: true, force: true });
  run('npx', ['-y', CREATE_APP, '--path', app, '--skip-install'], {
    cwd: work,
    env: { ...env, BACKSTAGE_APP_NAME: 'adopter' },
  });

  step(`Backstage ${RELEASE}, the release we support`);
  bumpToRelease();

  step('our packages, packed');
  const packs = packOurPackages();

  step("the README's install steps");
  const applied = applyReadmeSteps({
    readme: readFileSync(join(root, 'README.md'), 'utf8'),
    app,
    versions: Object.fromEntries(
      Object.entries(packs).map(([name, { version }]) => [name, version]),
    ),
  });
  for (const line of applied) console.log(`  ${line}`);

  step('yarn install, tsc:full, build:all');
  inApp(['install']);
  inApp(['tsc:full']);
  inApp(['build:all']);
}

step('started against emulated clusters and a real Prometheus');
await checkInBrowser();

if (process.argv[2] === undefined) {
  // A work folder of its own (some 1.5 GB): kept only when the test fails.
  rmSync(work, { recursive: true, force: true });
}
console.log('adopter test passed');

/**
 * The app's @backstage/* dependencies set to the release's versions, as
 * `backstage-cli versions:bump` does from the release manifest: here the
 * manifest is what this repository locks (the versions we test), and the
 * registry's latest for the app's other packages.
 */
function bumpToRelease() {
  const locked = new Map();
  for (const block of readFileSync(join(root, 'yarn.lock'), 'utf8').split(
    '\n\n',
  )) {
    const name = block.match(/^"?(@backstage\/[^@"]+)@/m)?.[1];
    const version = block.match(/^ {2}version: (.+)$/m)?.[1];
    if (name && version) locked.set(name, version);
  }
  const files = [
    'package.json',
    ...readdirSync(join(app, 'packages'))
      .map(p => `packages/${p}/package.json`)
      .filter(file => existsSync(join(app, file))),
  ];
  const latest = new Map();
  for (const file of files) {
    const path = join(app, file);
    const pkg = JSON.parse(readFileSync(path, 'utf8'));
    for (const field of ['dependencies', 'devDependencies']) {
      for (const name of Object.keys(pkg[field] ?? {})) {
        if (!name.startsWith('@backstage/')) continue;
        let version = locked.get(name);
        if (!version) {
          version =
            latest.get(name) ??
            execFileSync('npm', ['view', name, 'version'], {
              encoding: 'utf8',
            }).trim();
          latest.set(name, version);
        }
        pkg[field][name] = `^${version}`;
      }
    }
    writeFileSync(path, `${JSON.stringify(pkg, null, 2)}\n`);
  }
  writeFileSync(
    join(app, 'backstage.json'),
    `${JSON.stringify({ version: RELEASE }, null, 2)}\n`,
  );
  // The registry here holds only part of the release (TOOLCHAIN.md): the
  // same pins as this repository's root, so each package is installed once.
  // keytar (through @backstage/cli) cannot build on this machine.
  const ours = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const rootPath = join(app, 'package.json');
  const pkg = JSON.parse(readFileSync(rootPath, 'utf8'));
  pkg.resolutions = { ...pkg.resolutions, ...ours.resolutions };
  pkg.dependenciesMeta = { ...pkg.dependenciesMeta, ...ours.dependenciesMeta };
  writeFileSync(rootPath, `${JSON.stringify(pkg, null, 2)}\n`);
}

/**
 * `yarn pack` of each of our packages, and the app's root resolutions
 * pointing their names at the tarballs: what `yarn add` would fetch from
 * the npm registry once they are published.
 */
function packOurPackages() {
  const dir = join(work, 'packs');
  mkdirSync(dir, { recursive: true });
  const packs = {};
  for (const folder of readdirSync(join(root, 'plugins'))) {
    const { name, version } = JSON.parse(
      readFileSync(join(root, 'plugins', folder, 'package.json'), 'utf8'),
    );
    const out = join(dir, `${folder}.tgz`);
    run(
      process.execPath,
      [join(root, '.yarn/releases/yarn-4.13.0.cjs'), 'pack', '--out', out],
      {
        cwd: join(root, 'plugins', folder),
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    packs[name] = { file: out, version };
  }
  const rootPath = join(app, 'package.json');
  const pkg = JSON.parse(readFileSync(rootPath, 'utf8'));
  pkg.resolutions = {
    ...pkg.resolutions,
    ...Object.fromEntries(
      Object.entries(packs).map(([name, { file }]) => [name, `file:${file}`]),
    ),
  };
  writeFileSync(rootPath, `${JSON.stringify(pkg, null, 2)}\n`);
  return packs;
}

async function checkInBrowser() {
  const kubeconfig = join(work, 'kubeconfig');
  const infra = spawn(
    process.execPath,
    [
      '-r',
      '@backstage/cli/config/nodeTransform.cjs',
      join(root, 'scripts/adopter/infra.ts'),
      kubeconfig,
      '9095',
      '6451',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ready = await new Promise((resolve, reject) => {
    let out = '';
    infra.stdout.on('data', chunk => {
      out += chunk;
      const line = out.split('\n').find(l => l.startsWith('{'));
      if (line) resolve(JSON.parse(line));
    });
    infra.once('exit', code => reject(new Error(`infra exited with ${code}`)));
  });
  writeFileSync(
    join(app, 'app-config.local.yaml'),
    JSON.stringify(localConfig(ready), null, 2),
  );
  // The adopter's services: the demo's catalog (its services run on the
  // emulated clusters). Added to app-config.yaml, as config files replace
  // each other's lists.
  const YAML = createRequire(join(root, 'package.json'))('yaml');
  const appConfigPath = join(app, 'app-config.yaml');
  const appConfig = YAML.parseDocument(readFileSync(appConfigPath, 'utf8'));
  const catalogFile = join(root, 'examples/catalog/all.yaml');
  const known = appConfig.getIn(['catalog', 'locations'])?.toJSON() ?? [];
  if (!known.some(l => l.target === catalogFile))
    appConfig.addIn(['catalog', 'locations'], {
      type: 'file',
      target: catalogFile,
      rules: [
        {
          allow: [
            'Component',
            'System',
            'Domain',
            'API',
            'Resource',
            'Group',
            'User',
            'Location',
          ],
        },
      ],
    });
  writeFileSync(appConfigPath, appConfig.toString());
  const portal = spawn('yarn', ['start'], {
    cwd: app,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  try {
    await waitFor(
      'the backend',
      `${BACKEND_URL}/.backstage/health/v1/readiness`,
      240,
    );
    await waitFor('the app', APP_URL, 240);
    await browse();
  } finally {
    try {
      process.kill(-portal.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    infra.kill('SIGTERM');
  }
}

/** The adopter's own settings: its clusters and Prometheus. */
function localConfig(ready) {
  return {
    app: { baseUrl: APP_URL },
    backend: {
      baseUrl: BACKEND_URL,
      listen: { port: Number(new URL(BACKEND_URL).port) },
      cors: { origin: APP_URL },
    },
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: ready.clusters.map(c => ({
            name: c.name,
            url: c.url,
            authProvider: 'serviceAccount',
            serviceAccountToken: c.token,
            skipTLSVerify: true,
          })),
        },
      ],
    },
    meshLifecycle: {
      prometheus: { url: ready.prometheusUrl },
      kubernetesPluginClusters: [
        { name: 'dev', environment: 'development' },
        { name: 'test', environment: 'testing' },
        { name: 'prod', environment: 'production' },
      ],
    },
  };
}

async function waitFor(what, url, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status < 500) return;
    } catch {
      // Not listening yet.
    }
    await new Promise(resolve => setTimeout(resolve, 2000));
  }
  throw new Error(`${what} did not answer at ${url} within ${seconds} s`);
}

async function browse() {
  const require = createRequire(join(root, 'package.json'));
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const shots = join(root, 'e2e-results');
  mkdirSync(shots, { recursive: true });
  try {
    const page = await browser.newPage({
      viewport: { width: 1400, height: 1000 },
    });
    page.setDefaultTimeout(60_000);
    await page.goto(APP_URL);
    await page.getByRole('button', { name: 'Enter' }).click();
    await page
      .getByText('Enter as a Guest User.')
      .waitFor({ state: 'detached' });
    await page.goto(`${APP_URL}/catalog/default/component/checkout-service`);
    await page.getByText('Mesh lifecycle', { exact: true }).waitFor();
    // The lifecycle card's gates, judged on live figures from the real
    // Prometheus through our backend.
    await page
      .getByText(/^5xx ratio \d+(\.\d+)? % \(threshold/)
      .first()
      .waitFor({ timeout: 120_000 });
    await page.getByText('Mesh alerts', { exact: true }).waitFor();
    await page.screenshot({
      path: join(shots, 'adopter-entity-overview.png'),
      fullPage: true,
    });
    await page.goto(
      `${APP_URL}/catalog/default/component/checkout-service/mesh`,
    );
    // The observed traffic on the edges of the live callers and callees.
    await page
      .getByText(/^\d+\.\d+ req\/s, 5xx \d+(\.\d+)? %$/)
      .first()
      .waitFor({ timeout: 120_000 });
    await page.screenshot({
      path: join(shots, 'adopter-entity-mesh.png'),
      fullPage: true,
    });

    // The shipped mesh-service template, run from the form.
    const name = `adopter-${Date.now().toString(36)}`;
    const formData = {
      name,
      description: 'Created by the adopter test',
      owner: 'group:default/team-commerce',
      image: `registry.example.com/shop/${name}:1.0.0`,
      port: 8080,
      cluster: 'dev',
      namespace: 'shop-dev',
      callers: [],
      publishTo: 'none',
    };
    await page.goto(
      `${APP_URL}/create/templates/default/mesh-service?formData=${encodeURIComponent(
        JSON.stringify(formData),
      )}`,
    );
    await page.getByRole('button', { name: /^Next/ }).click();
    await page.getByRole('button', { name: /^Next/ }).click();
    await page.getByRole('button', { name: /^Review/ }).click();
    await page.getByRole('button', { name: /^Create/ }).click();
    await page
      .getByText(/: \d+ created, 0 configured, 0 unchanged\./)
      .waitFor({ timeout: 120_000 });
    await page.screenshot({
      path: join(shots, 'adopter-template.png'),
      fullPage: true,
    });
    const kubectl = execFileSync(
      'kubectl',
      [
        '--kubeconfig',
        join(work, 'kubeconfig'),
        '--context',
        'dev',
        'get',
        'deployments',
        '-n',
        'shop-dev',
        '-o',
        'name',
      ],
      { encoding: 'utf8' },
    );
    if (!kubectl.includes(`deployment.apps/${name}-v1`)) {
      throw new Error(
        `the template's Deployment is not on the cluster:\n${kubectl}`,
      );
    }
  } catch (error) {
    const [page] = browser.contexts()[0]?.pages() ?? [];
    await page?.screenshot({
      path: join(shots, 'adopter-failure.png'),
      fullPage: true,
    });
    throw error;
  } finally {
    await browser.close();
  }
}
