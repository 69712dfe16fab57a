// End-to-end checks of the demo portal in a real browser (Debian's chromium
// driven by playwright-core). Starts the portal exactly as README command 1
// does (`yarn start`), unless E2E_BASE_URL points at one already running.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import {
  guestToken as demoGuestToken,
  runTemplate,
} from '../scripts/demoApi.mjs';
import { bytesPerSource } from './sourceMapBytes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const yarn = join(root, '.yarn/releases/yarn-4.13.0.cjs');
const appUrl = process.env.E2E_BASE_URL ?? 'http://localhost:3000';
const backendUrl = process.env.E2E_BACKEND_URL ?? 'http://localhost:7007';
const guestToken = () => demoGuestToken(backendUrl);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = join(root, 'e2e-results');

let portal;
let browser;
let page;

async function reachable(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.status < 500;
  } catch {
    return false;
  }
}

/** Waits until `probe` resolves truthy, failing early if the portal died. */
async function waitUntil(what, probe, deadline) {
  while (Date.now() < deadline) {
    if (portal && portal.exitCode !== null) {
      throw new Error(`yarn start exited with ${portal.exitCode}`);
    }
    try {
      if (await probe()) return;
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${what} did not come up in time`);
}

const answersOk = url => async () =>
  (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;

/** The catalog has ingested every example service. */
const catalogIngested = async () => {
  const response = await fetch(
    `${backendUrl}/api/catalog/entities/by-query?filter=kind=component,spec.type=service&limit=100`,
    { headers: { authorization: `Bearer ${await guestToken()}` } },
  );
  return response.ok && (await response.json()).items.length === 11;
};

/** Signs a page of the production build (served by the backend) in as the guest. */
async function signInAsGuest(built) {
  await built.goto(backendUrl);
  await built.getByRole('button', { name: 'Enter' }).click();
  await built
    .getByText('Enter as a Guest User.')
    .waitFor({ state: 'detached' });
}

async function shot(name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/**
 * Checks Mesh Lifecycle's own parts of the page (`.mesh-lifecycle`) with
 * axe-core: no serious or critical violation. Every violation found is kept
 * beside the screenshots.
 */
async function expectAccessible(name) {
  await page.addScriptTag({
    path: join(root, 'node_modules/axe-core/axe.min.js'),
  });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(
      { include: [['.mesh-lifecycle']] },
      { resultTypes: ['violations'] },
    );
    return result.violations.map(v => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map(n => n.target.join(' ')),
    }));
  });
  writeFileSync(
    join(shots, `${name}.axe.json`),
    `${JSON.stringify(violations, null, 2)}\n`,
  );
  assert.deepEqual(
    violations
      .filter(v => v.impact === 'serious' || v.impact === 'critical')
      .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}`),
    [],
  );
}

before(async () => {
  assert.ok(
    existsSync(chromiumPath),
    `No browser at ${chromiumPath}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`,
  );
  mkdirSync(shots, { recursive: true });
  if (!process.env.E2E_BASE_URL) {
    assert.ok(
      !(await reachable(appUrl)) && !(await reachable(backendUrl)),
      `Something already listens on ${appUrl} or ${backendUrl}; stop it or set E2E_BASE_URL`,
    );
    portal = spawn(process.execPath, [yarn, 'start'], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, BROWSER: 'none' },
    });
  }
  const deadline = Date.now() + 240_000;
  await waitUntil(
    'the backend',
    answersOk(`${backendUrl}/api/mesh-lifecycle/health`),
    deadline,
  );
  await waitUntil('the catalog', catalogIngested, deadline);
  await waitUntil('the app', answersOk(appUrl), deadline);
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(60_000);
  // Guest sign-in, as a visitor does it.
  await page.goto(appUrl);
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByText('Enter as a Guest User.').waitFor({ state: 'detached' });
});

after(async () => {
  await browser?.close();
  if (portal && portal.exitCode === null) {
    // The portal runs in its own process group: end the app and backend too.
    process.kill(-portal.pid, 'SIGTERM');
    await new Promise(resolve => {
      const timer = setTimeout(() => {
        try {
          process.kill(-portal.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        resolve();
      }, 10_000);
      portal.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
});

describe('demo portal', () => {
  test('the catalog lists the example services', async () => {
    // All of them, not only the signed-in user's team's (the default).
    await page.goto(`${appUrl}/catalog?filters%5Buser%5D=all`);
    await page.getByRole('link', { name: 'checkout-service' }).waitFor();
    for (const name of [
      'recommendation-service',
      'legacy-pricing-service',
      'pricing-service',
    ]) {
      await page.getByRole('link', { name, exact: true }).waitFor();
    }
    await shot('catalog');
  });

  test('an entity page opens with the mesh lifecycle card', async () => {
    const scripts = [];
    const collect = response => {
      if (response.request().resourceType() === 'script') {
        scripts.push(
          response.body().then(
            body => ({ url: response.url(), bytes: body.length }),
            () => ({ url: response.url(), bytes: 0 }),
          ),
        );
      }
    };
    page.on('response', collect);
    await page.getByRole('link', { name: 'checkout-service' }).click();
    await page.waitForURL(/\/catalog\/default\/component\/checkout-service/);
    await page.getByText('Mesh lifecycle', { exact: true }).waitFor();
    await page.getByText('Mesh alerts', { exact: true }).waitFor();
    page.off('response', collect);
    const loaded = await Promise.all(scripts);
    // What Mesh Lifecycle adds to the entity page (the dev server's
    // unminified chunks), kept beside the screenshots for the README.
    const ours = loaded.filter(s => /mesh-lifecycle/.test(s.url));
    writeFileSync(
      join(shots, 'entity-page-scripts.json'),
      `${JSON.stringify(
        {
          meshLifecycleBytes: ours.reduce((sum, s) => sum + s.bytes, 0),
          scripts: loaded,
        },
        null,
        2,
      )}\n`,
    );
    assert.ok(ours.length > 0, 'the cards come in chunks of their own');
    // The charts are the mesh tab's: the overview loads no chart library.
    assert.deepEqual(
      loaded.filter(s => /recharts/i.test(s.url)).map(s => s.url),
      [],
    );
    const current = page
      .getByRole('list', { name: 'Lifecycle phases' })
      .locator('[aria-current="step"]');
    assert.equal((await current.textContent())?.trim(), 'Deploy');
    // The canary at 90/10 holds back operate.
    const gates = page.getByRole('list', { name: 'Gates to Operate' });
    await gates
      .getByText('The rollout is finished: one version takes 100 %')
      .waitFor();
    await gates.getByText(/still splits v1 90 % \/ v2 10 %/).waitFor();
    await page.getByText('Mesh alerts', { exact: true }).waitFor();
    await shot('entity-checkout-service');
    await expectAccessible('entity-checkout-service');
  });

  test('the retiring service names its replacement and why it may not retire yet', async () => {
    await page.goto(
      `${appUrl}/catalog/default/component/legacy-pricing-service`,
    );
    const gates = page.getByRole('list', { name: 'To finish retiring' });
    await gates.getByText(/inbound requests in the last 7 days/).waitFor();
    await gates
      .getByText('component:default/inventory-service still depends on it')
      .waitFor();
    await page
      .getByText(/^Replaced by/)
      .first()
      .waitFor();
    await page
      .getByRole('link', { name: 'pricing-service', exact: true })
      .first()
      .waitFor();
    await shot('entity-legacy-pricing-service');
    await expectAccessible('entity-legacy-pricing-service');
  });

  test("the canary's mesh tab shows the configured 90/10 beside the observed split", async () => {
    const scripts = [];
    const collect = response => scripts.push(response.url());
    page.on('response', collect);
    await page.goto(
      `${appUrl}/catalog/default/component/checkout-service/mesh`,
    );
    const split = page.getByRole('table', {
      name: 'Split of checkout-service',
    });
    const v1 = split.getByRole('row').filter({ hasText: 'v1' });
    await v1.getByText('90 %').waitFor();
    const observed = Number(
      (await v1.getByText(/^\d+\.\d %$/).textContent()).replace(' %', ''),
    );
    assert.ok(observed > 85 && observed < 95, `v1 observed ${observed} %`);
    await page.getByRole('figure', { name: 'Request rate' }).waitFor();
    await page.locator('.recharts-line').first().waitFor();
    // The graph of callers and callees, its nodes linked to their pages,
    // its edges carrying the rate and the 5xx share.
    const graph = page.getByLabel('Live callers and callees');
    await graph.getByRole('link', { name: /cart-service/ }).waitFor();
    await graph
      .getByText(/^\d+\.\d+ req\/s, 5xx \d+(\.\d+)? %$/)
      .first()
      .waitFor();
    // The mesh objects in words: the seed's outlier detection.
    await page
      .getByRole('region', {
        name: 'DestinationRule shop/checkout-service',
        exact: true,
      })
      .getByText('Outlier detection')
      .waitFor();
    page.off('response', collect);
    // The chart library comes with the tab, in a chunk of its own.
    assert.ok(scripts.some(url => /recharts/i.test(url)));
    await page
      .getByRole('list', { name: 'Live callees' })
      .getByRole('link', { name: 'cart-service' })
      .waitFor();
    await shot('entity-checkout-service-mesh');
    await expectAccessible('entity-checkout-service-mesh');
  });

  test("search-service's validation findings say what is wrong, where, and how to fix it", async () => {
    await page.goto(`${appUrl}/catalog/default/component/search-service`);
    const findings = page.getByRole('list', { name: 'Validation findings' });
    for (const code of ['KIA0601', 'KIA1106', 'KIA1107', 'MESH0001']) {
      await findings.getByText(code, { exact: true }).first().waitFor();
    }
    // Its configuration errors hold back its move to deploy.
    await page
      .getByRole('list', { name: 'Gates to Deploy' })
      .getByText('Its mesh configuration validates without errors')
      .waitFor();
    await shot('entity-search-service');
    await expectAccessible('entity-search-service');
  });

  test("search-service's mesh tab puts each finding under its object, with the YAML on demand", async () => {
    await page.goto(`${appUrl}/catalog/default/component/search-service/mesh`);
    const name = 'VirtualService shop-test/search-service';
    const route = page.getByRole('region', { name, exact: true });
    await route
      .getByRole('list', { name: `Findings of ${name}` })
      .getByText('KIA1107', { exact: true })
      .waitFor();
    await route.getByText('Destinations', { exact: true }).first().waitFor();
    await route.getByRole('button', { name: /YAML/ }).click();
    const yaml = route.getByLabel(`YAML of ${name}`);
    await yaml.waitFor();
    assert.match(await yaml.textContent(), /kind: VirtualService/);
    await shot('entity-search-service-mesh');
    await expectAccessible('entity-search-service-mesh');
  });

  test('payment-service shows its alert rules and its health', async () => {
    // The demo's HighErrorRate fires two minutes after the mesh starts.
    await waitUntil(
      "payment-service's alert firing",
      async () =>
        JSON.stringify(
          await (
            await fetch(
              `${backendUrl}/api/mesh-lifecycle/entities/component/default/payment-service/alerts`,
              { headers: { authorization: `Bearer ${await guestToken()}` } },
            )
          ).json(),
        ).includes('"state":"firing"'),
      Date.now() + 240_000,
    );
    await page.goto(`${appUrl}/catalog/default/component/payment-service`);
    const rules = page.getByRole('list', { name: 'Alert rules' });
    await rules
      .getByText(/^HighErrorRate firing, severity critical, since/)
      .waitFor();
    await page.getByRole('region', { name: 'Health' }).waitFor();
    await shot('entity-payment-service');
    await expectAccessible('entity-payment-service');
  });

  test('the fleet page is in the navigation and lists every service', async () => {
    await page.goto(`${appUrl}/catalog`);
    await page.getByRole('link', { name: 'Mesh Lifecycle' }).first().click();
    await page.waitForURL(/\/mesh-lifecycle/);
    await page.getByText('Services on the mesh').waitFor();
    await page.getByText('11 of 11 services').waitFor();
    // How old the request figures are (reused a while, refreshed behind).
    await page
      .getByText(/^Request figures from (just now|\d+ s ago)$/)
      .waitFor();
    await page.getByRole('link', { name: 'loyalty-service' }).waitFor();
    // A count for every phase; the retiring service alone once filtered.
    const perPhase = page.getByRole('navigation', {
      name: 'Services per phase',
    });
    for (const phase of [
      'Design',
      'Develop',
      'Test',
      'Deploy',
      'Operate',
      'Retire',
    ]) {
      await perPhase
        .getByRole('button', { name: new RegExp(`^${phase}: \\d+$`) })
        .waitFor();
    }
    await shot('fleet');
    await expectAccessible('fleet');
    await perPhase.getByRole('button', { name: /^Retire: / }).click();
    await page.getByText(/^1 of 11 services$/).waitFor();
    await page.getByRole('link', { name: 'legacy-pricing-service' }).waitFor();
    assert.equal(
      await page.getByRole('link', { name: 'checkout-service' }).count(),
      0,
    );
    await shot('fleet-retiring');
  });

  test('the scaffolder lists the templates folder and our actions', async () => {
    const response = await fetch(
      `${backendUrl}/api/catalog/entities/by-query?filter=kind=template`,
      { headers: { authorization: `Bearer ${await guestToken()}` } },
    );
    assert.equal(response.status, 200);
    const { items } = await response.json();
    const templateQuery = page.waitForResponse(
      r =>
        r.url() === `${backendUrl}/api/catalog/entities/by-query` &&
        (r.request().postData() ?? '').includes('"kind":"template"'),
    );
    await page.goto(`${appUrl}/create`);
    assert.equal((await templateQuery).status(), 200);
    await page.getByRole('tab', { name: 'Templates' }).waitFor();
    for (const template of items) {
      await page
        .getByText(template.metadata.title ?? template.metadata.name)
        .first()
        .waitFor();
    }
    await shot('scaffolder');
    await page.getByRole('tab', { name: 'Actions' }).click();
    await page.getByText('mesh:catalog:annotate').waitFor();
  });
});

describe('the production build, served by the demo backend', () => {
  // Our own code, wherever the bundler put it.
  const OURS = /\/plugins\/mesh-lifecycle(-common)?\/src\//;

  test("the entity page's added JavaScript, measured from the build's source maps", async () => {
    const dist = join(root, 'examples/app/dist');
    assert.ok(
      existsSync(join(dist, 'static')),
      'No production build of the app: run `yarn build` (npm run check does) before the browser tests',
    );
    // The scripts index.html loads up front; every other chunk is lazy.
    const initial = new Set(
      [
        ...readFileSync(join(dist, 'index.html'), 'utf8').matchAll(
          /<script[^>]+src="\/?([^"]+)"/g,
        ),
      ].map(m => m[1]),
    );
    const built = await browser.newPage({
      viewport: { width: 1400, height: 1000 },
    });
    built.setDefaultTimeout(60_000);
    try {
      await signInAsGuest(built);
      const urls = [];
      const collect = response => {
        if (response.request().resourceType() === 'script') {
          urls.push(response.url());
        }
      };
      built.on('response', collect);
      // When our parts first appear, from the navigation's start, stamped in
      // the page as the DOM changes.
      await built.addInitScript(() => {
        const marks = {};
        window.__meshLifecycleMarks = marks;
        const stamp = () => {
          const now = performance.now();
          if (!marks.card && document.querySelector('.mesh-lifecycle')) {
            marks.card = now;
          }
          if (
            !marks.gates &&
            document.querySelector('[aria-label="Gates to Operate"] li')
          ) {
            marks.gates = now;
          }
        };
        new MutationObserver(stamp).observe(document, {
          childList: true,
          subtree: true,
        });
      });
      await built.goto(
        `${backendUrl}/catalog/default/component/checkout-service`,
      );
      await built.getByText('Mesh lifecycle', { exact: true }).waitFor();
      await built.getByText('Mesh alerts', { exact: true }).waitFor();
      await built
        .getByRole('list', { name: 'Gates to Operate' })
        .getByText(/still splits v1 90 % \/ v2 10 %/)
        .waitFor();
      built.off('response', collect);
      const render = await built.evaluate(() => ({
        ...window.__meshLifecycleMarks,
        firstContentfulPaint: performance
          .getEntriesByType('paint')
          .find(e => e.name === 'first-contentful-paint')?.startTime,
        domContentLoaded:
          performance.getEntriesByType('navigation')[0]
            ?.domContentLoadedEventEnd,
      }));
      assert.ok(
        render.card > 0 && render.gates >= render.card,
        JSON.stringify(render),
      );

      const scripts = [];
      for (const url of new Set(urls)) {
        const file = new URL(url).pathname.replace(/^\//, '');
        const code = readFileSync(join(dist, file), 'utf8');
        const map = JSON.parse(readFileSync(join(dist, `${file}.map`), 'utf8'));
        const perSource = bytesPerSource(code, map);
        const sum = test =>
          [...perSource].reduce(
            (total, [source, bytes]) =>
              source && test(source) ? total + bytes : total,
            0,
          );
        scripts.push({
          file,
          initial: initial.has(file),
          bytes: Buffer.byteLength(code),
          gzipBytes: gzipSync(code).length,
          oursBytes: sum(source => OURS.test(source)),
          rechartsBytes: sum(source => /node_modules\/recharts\//.test(source)),
        });
      }
      const total = key => scripts.reduce((sum, s) => sum + s[key], 0);
      // The lazy chunks that carry our cards (with what only they need).
      const ourChunks = scripts.filter(s => !s.initial && s.oursBytes > 0);
      const report = {
        page: '/catalog/default/component/checkout-service (overview)',
        allScriptsBytes: total('bytes'),
        allScriptsGzipBytes: total('gzipBytes'),
        meshLifecycleCodeBytes: total('oursBytes'),
        meshLifecycleInitialChunksBytes: scripts
          .filter(s => s.initial)
          .reduce((sum, s) => sum + s.oursBytes, 0),
        meshLifecycleLazyChunks: ourChunks.length,
        meshLifecycleLazyChunksBytes: ourChunks.reduce(
          (sum, s) => sum + s.bytes,
          0,
        ),
        meshLifecycleLazyChunksGzipBytes: ourChunks.reduce(
          (sum, s) => sum + s.gzipBytes,
          0,
        ),
        // Milliseconds from the navigation's start (this machine, local
        // backend): the page's first paint, our card's first render, and
        // its gates drawn from the backend's answer.
        timeToRenderMs: {
          firstContentfulPaint: Math.round(render.firstContentfulPaint ?? -1),
          domContentLoaded: Math.round(render.domContentLoaded ?? -1),
          meshLifecycleCard: Math.round(render.card),
          meshLifecycleGates: Math.round(render.gates),
        },
        scripts,
      };
      writeFileSync(
        join(shots, 'entity-page-scripts.production.json'),
        `${JSON.stringify(report, null, 2)}\n`,
      );
      console.log(
        `# production entity page: ${report.allScriptsBytes} bytes of scripts; Mesh Lifecycle code ${report.meshLifecycleCodeBytes} bytes (${report.meshLifecycleInitialChunksBytes} in the initial chunks), its ${report.meshLifecycleLazyChunks} lazy chunks ${report.meshLifecycleLazyChunksBytes} bytes (${report.meshLifecycleLazyChunksGzipBytes} gzipped); first contentful paint ${report.timeToRenderMs.firstContentfulPaint} ms, our card ${report.timeToRenderMs.meshLifecycleCard} ms, its gates ${report.timeToRenderMs.meshLifecycleGates} ms`,
      );
      assert.ok(ourChunks.length > 0, 'the cards come in lazy chunks');
      assert.ok(
        report.meshLifecycleCodeBytes > 0,
        'the source maps name our sources',
      );
      // The chart library is the mesh tab's, not the overview's.
      assert.equal(total('rechartsBytes'), 0);
      await built.screenshot({
        path: join(shots, 'entity-checkout-service-production.png'),
        fullPage: true,
      });
    } finally {
      await built.close();
    }
  });

  test('a chart of 10,000 points per line is thinned and stays responsive', async () => {
    const built = await browser.newPage({
      viewport: { width: 1400, height: 1000 },
    });
    built.setDefaultTimeout(60_000);
    const POINTS = 10_000;
    let stretched = 0;
    /** Every series of the answer, stretched to POINTS points over its range. */
    const stretch = points => {
      if (points.length < 2) return points;
      const first = points[0].t;
      const step = (points[points.length - 1].t - first) / (POINTS - 1);
      return Array.from({ length: POINTS }, (_, i) => {
        const near =
          points[Math.round((i / (POINTS - 1)) * (points.length - 1))];
        return {
          t: first + i * step,
          v: near.v === null ? null : near.v * (1 + 0.2 * Math.sin(i / 7)),
        };
      });
    };
    try {
      await signInAsGuest(built);
      // The backend answers at most 1,000 points per series: the answer is
      // stretched here, on its way to the page.
      await built.route(
        /\/api\/mesh-lifecycle\/entities\/component\/default\/checkout-service\/traffic\?.*range=/i,
        async route => {
          const response = await route.fetch();
          const body = await response.json();
          for (const source of body.sources) {
            const series = source.series;
            if (source.status !== 'ok' || !series) continue;
            for (const key of [
              'requestsPerSecond',
              'successRatio',
              'ratio4xx',
              'ratio5xx',
            ]) {
              series[key] = stretch(series[key]);
            }
            for (const key of ['p50', 'p95', 'p99']) {
              series.latencyMs[key] = stretch(series.latencyMs[key]);
            }
            for (const version of series.versions) {
              version.requestsPerSecond = stretch(version.requestsPerSecond);
            }
            stretched += 1;
          }
          await route.fulfill({ response, json: body });
        },
      );
      await built.addInitScript(() => {
        window.__longTasks = [];
        new PerformanceObserver(list =>
          window.__longTasks.push(
            ...list.getEntries().map(e => ({
              start: Math.round(e.startTime),
              duration: Math.round(e.duration),
            })),
          ),
        ).observe({ type: 'longtask', buffered: true });
      });
      await built.goto(
        `${backendUrl}/catalog/default/component/checkout-service/mesh`,
      );
      const chart = built.getByRole('figure', { name: 'Request rate' });
      const line = chart.locator('.recharts-line path').first();
      await line.waitFor();
      const drawnAtMs = await built.evaluate(() => performance.now());
      assert.ok(stretched > 0, 'the traffic answer went through the route');
      // What the browser draws: one path command per point kept.
      const lines = await chart
        .locator('.recharts-line path')
        .evaluateAll(paths =>
          paths.map(p => (p.getAttribute('d').match(/[MLC]/g) ?? []).length),
        );
      // Hovering answers with the tooltip of the point under the pointer.
      const box = await chart
        .locator('svg.recharts-surface[role="application"]')
        .boundingBox();
      const hoverStart = await built.evaluate(() => performance.now());
      await built.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
      await chart
        .locator('.recharts-tooltip-wrapper')
        .getByText(/UTC/)
        .waitFor();
      const hoverMs =
        (await built.evaluate(() => performance.now())) - hoverStart;
      const longTasks = await built.evaluate(() => window.__longTasks);
      const report = {
        page: '/catalog/default/component/checkout-service/mesh (production build)',
        pointsPerSeries: POINTS,
        drawnPathCommandsPerLine: lines,
        chartDrawnAtMs: Math.round(drawnAtMs),
        hoverToTooltipMs: Math.round(hoverMs),
        longTasks,
        longestTaskMs: Math.max(0, ...longTasks.map(t => t.duration)),
      };
      writeFileSync(
        join(shots, 'chart-10000-points.production.json'),
        `${JSON.stringify(report, null, 2)}\n`,
      );
      console.log(
        `# chart of ${POINTS} points per line: ${lines.join(
          ', ',
        )} path commands drawn per line, drawn ${
          report.chartDrawnAtMs
        } ms after navigation, tooltip ${
          report.hoverToTooltipMs
        } ms after hovering, longest task ${report.longestTaskMs} ms`,
      );
      // Thinned to what the chart can show, not 10,000 points per line.
      assert.ok(lines.length > 0);
      assert.ok(
        lines.every(n => n > 50 && n <= 1_001),
        `path commands per line: ${lines.join(', ')}`,
      );
      await chart.screenshot({
        path: join(shots, 'chart-10000-points.png'),
      });
    } finally {
      await built.close();
    }
  });
});

describe('demo mesh started with the portal', () => {
  before(() =>
    waitUntil(
      'the demo Prometheus',
      answersOk('http://127.0.0.1:9090/-/ready'),
      Date.now() + 180_000,
    ),
  );

  test('kubectl lists the VirtualServices of the prod cluster', async () => {
    const { stdout } = await promisify(execFile)('kubectl', [
      '--kubeconfig',
      join(root, 'examples/.demo/kubeconfig'),
      '--context',
      'prod',
      'get',
      'virtualservices.networking.istio.io',
      '-n',
      'shop',
      '-o',
      'name',
    ]);
    assert.ok(
      stdout.includes('virtualservice.networking.istio.io/checkout-service'),
      stdout,
    );
  });

  test('the backend serves the canary from the emulated prod cluster', async () => {
    const response = await fetch(
      `${backendUrl}/api/mesh-lifecycle/entities/component/default/checkout-service/mesh`,
      { headers: { authorization: `Bearer ${await guestToken()}` } },
    );
    assert.equal(response.status, 200);
    const { clusters } = await response.json();
    assert.deepEqual(
      clusters.map(c => [c.source, c.status]),
      [['prod', 'ok']],
    );
    assert.deepEqual(
      clusters[0].trafficSplit.flatMap(r =>
        r.destinations.map(d => [d.version, d.weight]),
      ),
      [
        ['v1', 90],
        ['v2', 10],
      ],
    );
  });

  test('the backend serves the canary traffic observed by Prometheus', async () => {
    const response = await fetch(
      `${backendUrl}/api/mesh-lifecycle/entities/component/default/checkout-service/traffic`,
      { headers: { authorization: `Bearer ${await guestToken()}` } },
    );
    assert.equal(response.status, 200);
    const { sources } = await response.json();
    assert.equal(sources[0].status, 'ok', JSON.stringify(sources[0]));
    const shares = Object.fromEntries(
      sources[0].figures.versions.map(v => [v.version, v.share]),
    );
    assert.ok(Math.abs(shares.v1 - 0.9) < 0.02, JSON.stringify(shares));
    assert.ok(Math.abs(shares.v2 - 0.1) < 0.02, JSON.stringify(shares));
  });

  test('Prometheus answers istio_requests_total with live data', async () => {
    const url = new URL('http://127.0.0.1:9090/api/v1/query');
    url.searchParams.set(
      'query',
      'sum by (destination_cluster) (rate(istio_requests_total{reporter="destination"}[5m]))',
    );
    const body = await (await fetch(url)).json();
    assert.equal(body.status, 'success');
    assert.deepEqual(
      body.data.result.map(r => r.metric.destination_cluster).sort(),
      ['dev', 'prod', 'test'],
    );
  });
});

describe('a new service from the mesh-service template', () => {
  // Unique per run: the demo keeps published repositories on disk.
  const name = `e2e-orders-${Date.now().toString(36)}`;

  test('is created in the portal, registered and applied to the dev cluster', async () => {
    await page.goto(`${appUrl}/create/templates/default/mesh-service`);
    await page.getByRole('textbox', { name: 'Name' }).fill(name);
    await page
      .getByRole('textbox', { name: 'Description' })
      .fill('Takes orders, created by the browser tests');
    // The owner picker lists the catalog's groups by title.
    await page.getByRole('textbox', { name: 'Owner' }).click();
    await page.getByRole('option', { name: 'Commerce Team' }).click();
    await page.getByRole('button', { name: /^Next/ }).click();

    // The cluster picker offers the configured clusters; dev is the default.
    await page.getByText('dev (development)').waitFor();
    await page
      .getByRole('textbox', { name: 'Container image' })
      .fill(`registry.example.com/shop/${name}:1.0.0`);
    await page.getByRole('button', { name: /^Next/ }).click();
    await page.getByRole('button', { name: /^Review/ }).click();
    await shot('template-review');
    await page.getByRole('button', { name: /^Create/ }).click();

    // The task page: every step passes and the entity link appears.
    await page
      .getByRole('link', { name: 'Open in catalog' })
      .waitFor({ timeout: 120_000 });
    await page.getByText(': 9 created, 0 configured, 0 unchanged.').waitFor();
    await shot('template-done');

    const { stdout } = await promisify(execFile)('kubectl', [
      '--kubeconfig',
      join(root, 'examples/.demo/kubeconfig'),
      '--context',
      'dev',
      'get',
      'deployments,services,virtualservices.networking.istio.io,destinationrules.networking.istio.io,peerauthentications.security.istio.io',
      '-n',
      'shop-dev',
      '-l',
      `backstage.io/kubernetes-id=${name}`,
      '-o',
      'name',
    ]);
    for (const kind of [
      'deployment.apps',
      'service',
      'virtualservice.networking.istio.io',
      'destinationrule.networking.istio.io',
      'peerauthentication.security.istio.io',
    ]) {
      assert.ok(stdout.includes(`${kind}/${name}`), stdout);
    }

    await waitUntil(
      'the new entity in the catalog',
      async () =>
        (
          await fetch(
            `${backendUrl}/api/catalog/entities/by-name/component/default/${name}`,
            { headers: { authorization: `Bearer ${await guestToken()}` } },
          )
        ).ok,
      Date.now() + 60_000,
    );
    await page.getByRole('link', { name: 'Open in catalog' }).first().click();
    await page.waitForURL(new RegExp(`/catalog/default/component/${name}`));
    await page.getByText('Mesh lifecycle', { exact: true }).waitFor();
    // It runs on the dev cluster: in develop, with the mesh defaults as the
    // gates to test, and the evidence names the cluster.
    await page.getByRole('list', { name: 'Gates to Test' }).waitFor();
    await page.getByText(/^Evidence \(/).click();
    await page.getByText('(cluster dev)').first().waitFor();
    await shot('template-entity');
  });
});

describe("checkout-service's canary, promoted from the scaffolder", () => {
  test('the canary-release template moves v2 to 100 % after its analysis, and the mesh tab shows the new split and the shift', async () => {
    // The form, filled as a link from the entity page would fill it.
    const formData = {
      entity: 'component:default/checkout-service',
      subset: 'v2',
      steps: [100],
      pauseSeconds: 30,
    };
    await page.goto(
      `${appUrl}/create/templates/default/canary-release?formData=${encodeURIComponent(
        JSON.stringify(formData),
      )}`,
    );
    await page.getByRole('button', { name: /^Next/ }).click();
    await page.getByRole('button', { name: /^Review/ }).click();
    await shot('canary-review');
    await page.getByRole('button', { name: /^Create/ }).click();
    // The step waits its pause, is judged from Prometheus, and passes.
    await page
      .getByText(/completed: from .*v1\) 90 % .* to .*v2\) 100 %/)
      .waitFor({ timeout: 180_000 });
    await shot('canary-done');

    await page.goto(
      `${appUrl}/catalog/default/component/checkout-service/mesh`,
    );
    const split = page.getByRole('table', {
      name: 'Split of checkout-service',
    });
    const v2 = split.getByRole('row').filter({ hasText: 'v2' });
    await v2.getByText('100 %', { exact: true }).waitFor();
    await split
      .getByRole('row')
      .filter({ hasText: 'v1' })
      .getByText('0 %', { exact: true })
      .waitFor();
    // Prometheus sees v2 take more than the 10 % it had (over 5 min).
    const observed = Number(
      (await v2.getByText(/^\d+\.\d %$/).textContent()).replace(' %', ''),
    );
    assert.ok(observed > 11, `v2 observed ${observed} %`);
    const shifts = page.getByRole('list', { name: 'Traffic shifts' });
    await shifts
      .getByText('Canary: v1 90 % / v2 10 % → v1 0 % / v2 100 %')
      .waitFor();
    await shifts.getByRole('img', { name: 'completed' }).first().waitFor();
    await shifts
      .getByText(
        /^Step 1, v1 0 % \/ v2 100 %: pass — \d+ requests, 5xx \d+\.\d\d %, p95 \d+ ms on v2$/,
      )
      .waitFor();
    await page
      .getByRole('heading', { name: 'Traffic shifts' })
      .scrollIntoViewIfNeeded();
    await shot('entity-checkout-service-shifted');
    await expectAccessible('entity-checkout-service-shifted');
  });
});

describe('legacy-pricing-service, retired from its entity page', () => {
  test('the request shows its blockers and plan, the forced run archives and deletes its objects, the card shows it retired and the owners are notified', async () => {
    // Filed without going past its blockers, a request is refused and stays
    // open: the fleet board lists it with what holds it up.
    const refused = await runTemplate(
      backendUrl,
      'template:default/retire-service',
      {
        entity: 'component:default/legacy-pricing-service',
        reason: 'Replaced by pricing-service',
        drainWindowSeconds: 604800,
      },
    );
    assert.equal(refused.status, 'failed');
    await page.goto(`${appUrl}/mesh-lifecycle`);
    const open = page.getByRole('region', { name: 'Open retirement requests' });
    await open
      .getByRole('listitem')
      .filter({ hasText: 'legacy-pricing-service: retirement refused' })
      .getByText(/ — 3 blockers: No inbound requests for the quiet period/)
      .waitFor();
    await open.scrollIntoViewIfNeeded();
    await shot('fleet-open-retirement');
    await expectAccessible('fleet-open-retirement');

    await page.goto(
      `${appUrl}/catalog/default/component/legacy-pricing-service`,
    );
    const part = page.getByRole('region', { name: 'Retirement' });
    await part.getByText('Retirement refused', { exact: true }).waitFor();
    await part.getByRole('link', { name: 'Request retirement' }).click();

    // The template, the service filled in from the entity page.
    await page.waitForURL(/\/create\/templates\/default\/retire-service/);
    await page.getByLabel('Reason').fill('Replaced by pricing-service');
    await page.getByRole('button', { name: /^Next/ }).click();
    // What stands in the way, before anything is filed.
    const blockers = page.getByRole('region', { name: 'Current blockers' });
    await blockers
      .getByText('component:default/inventory-service still depends on it')
      .waitFor();
    await blockers.getByText(/inbound requests in the last 7 days/).waitFor();
    await shot('retire-blockers');
    // inventory-service still calls and depends on it: go on, saying why.
    await page
      .getByRole('checkbox', { name: 'Go on despite blockers' })
      .check();
    await page
      .getByRole('textbox', { name: 'Why go on despite blockers' })
      .fill('inventory-service moves to pricing-service in its next release');
    await page.getByRole('button', { name: /^Review/ }).click();
    await page.getByText('component:default/legacy-pricing-service').waitFor();
    await shot('retire-review');
    await page.getByRole('button', { name: /^Create/ }).click();
    // The plan first (a dry run), then the run, then the catalog change.
    await page
      .getByText(/Opened pull request #\d+ on legacy-pricing-service/)
      .first()
      .waitFor({ timeout: 180_000 });
    // The run's own lines, scrolled to by the log's search.
    await page.getByPlaceholder('Search').fill('is retired from');
    await page
      .getByText(
        /is retired from prod\/shop: \d+ objects deleted, each archived first/,
      )
      .first()
      .waitFor();
    await page
      .getByText(
        /^Step 5, delete in this order, in the foreground: VirtualService legacy-pricing-service/,
      )
      .waitFor();
    await page.getByRole('button', { name: 'Blockers' }).click();
    await page
      .getByText(/component:default\/inventory-service still depends on it/)
      .first()
      .waitFor();
    await shot('retire-done');
    // Its catalog change, proposed in the repository its entity is read from.
    const pullRequestUrl = await page
      .getByRole('link', { name: 'Catalog change (pull request)' })
      .getAttribute('href');
    assert.match(
      pullRequestUrl,
      /\/api\/demo-repositories\/-\/pulls\/legacy-pricing-service\/\d+$/,
    );

    await page.goto(
      `${appUrl}/catalog/default/component/legacy-pricing-service`,
    );
    await part.getByText('Retired', { exact: true }).waitFor();
    await part
      .getByText(/^Blockers, forced past: inventory-service moves/)
      .waitFor();
    await part
      .getByText(
        'Notified the owners of its dependents: group:default/team-platform',
      )
      .waitFor();
    await part.getByText(/^Objects: \d+ deleted, \d+ archived/).waitFor();
    // The lifecycle answer is kept 10 s: reloaded until it sees the run.
    const gates = page.getByRole('list', { name: 'To finish retiring' });
    await waitUntil(
      'the lifecycle card to see the objects gone',
      async () => {
        await page.reload();
        const cleaned = gates
          .getByRole('listitem')
          .filter({ hasText: 'Its cluster objects are cleaned up' });
        await cleaned.waitFor();
        const text = await cleaned.textContent();
        return text.includes('nothing left on any cluster');
      },
      Date.now() + 60_000,
    );
    await part.getByText(/^Archived objects \(\d+\)$/).click();
    const archived = part.getByRole('list', { name: 'Archived objects' });
    await archived
      .getByText('Deployment shop/legacy-pricing-service-v1')
      .click();
    await archived
      .getByLabel('Deployment shop/legacy-pricing-service-v1 as archived')
      .getByText(/kind: Deployment/)
      .waitFor();
    await part.scrollIntoViewIfNeeded();
    await shot('entity-legacy-pricing-service-retired');
    await expectAccessible('entity-legacy-pricing-service-retired');

    // The pull request: its one-line change, merged; the catalog reads the
    // merged file again and the entity is retired there too.
    await page.goto(pullRequestUrl);
    await page
      .getByRole('heading', { name: /^Retire legacy-pricing-service/ })
      .waitFor();
    await page
      .locator('tr.del', { hasText: 'lifecycle: deprecated' })
      .waitFor();
    await page.locator('tr.add', { hasText: 'lifecycle: retired' }).waitFor();
    assert.equal(await page.locator('tr.add, tr.del').count(), 2);
    await shot('retire-pull-request');
    await page.getByRole('button', { name: 'Merge pull request' }).click();
    await page
      .getByRole('status')
      .getByText(/^Merged at /)
      .waitFor();
    const token = await guestToken();
    await waitUntil(
      'the catalog to read the merged catalog-info.yaml',
      async () => {
        const response = await fetch(
          `${backendUrl}/api/catalog/entities/by-name/component/default/legacy-pricing-service`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        return (await response.json()).spec?.lifecycle === 'retired';
      },
      Date.now() + 60_000,
    );
    await page.goto(
      `${appUrl}/catalog/default/component/legacy-pricing-service`,
    );
    await page.getByText('retired', { exact: true }).first().waitFor();

    // The guest is on team-platform, inventory-service's owners: told.
    await page.goto(`${appUrl}/notifications`);
    await page
      .getByText('legacy-pricing-service is being retired')
      .first()
      .waitFor();
    await shot('retire-notification');
  });
});
