import { ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

jest.setTimeout(30_000);

const SKELETON = path.resolve(
  __dirname,
  '../../templates/mesh-service/skeleton',
);

interface Started {
  child: ChildProcess;
  port: number;
  metricsPort: number;
}

/** Starts the skeleton's server as its Dockerfile does, on free ports. */
async function startSkeleton(): Promise<Started> {
  const child = spawn(process.execPath, ['src/server.js'], {
    cwd: SKELETON,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      METRICS_PORT: '0',
      SERVICE_NAME: 'orders-service',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', chunk => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout! });
  const listening = await new Promise<{ port: number; metricsPort: number }>(
    (resolve, reject) => {
      lines.on('line', line => {
        const message = JSON.parse(line);
        if (message.message === 'listening') resolve(message);
      });
      child.once('exit', code =>
        reject(new Error(`The skeleton exited with ${code}: ${stderr}`)),
      );
    },
  );
  return { child, ...listening };
}

function localUrl(port: number, pathname: string): URL {
  const url = new URL('http://127.0.0.1');
  url.port = String(port);
  url.pathname = pathname;
  return url;
}

describe('the mesh-service skeleton', () => {
  let started: Started | undefined;

  afterEach(async () => {
    const child = started?.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    started = undefined;
  });

  it('serves /health on its port and Prometheus metrics on the metrics port', async () => {
    started = await startSkeleton();
    const { port, metricsPort } = started;
    expect(port).not.toBe(metricsPort);

    const health = await fetch(localUrl(port, '/health'));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const hello = await fetch(localUrl(port, '/api/hello'));
    expect(await hello.json()).toEqual({
      service: 'orders-service',
      message: 'hello',
    });
    expect((await fetch(localUrl(port, '/metrics'))).status).toBe(404);

    const metrics = await fetch(localUrl(metricsPort, '/metrics'));
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(
      /^text\/plain; version=0\.0\.4/,
    );
    const text = await metrics.text();
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toMatch(
      /^http_requests_total\{method="GET",route="\/health",code="200"\} 1$/m,
    );
    expect(text).toMatch(
      /^http_requests_total\{method="GET",route="other",code="404"\} 1$/m,
    );
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="GET",route="\/api\/hello",code="200"\} 1$/m,
    );
    expect(text).toMatch(/^process_uptime_seconds \d/m);
  });

  it('stops on SIGTERM', async () => {
    started = await startSkeleton();
    const { child } = started;
    const exited = new Promise<number | null>(resolve =>
      child.once('exit', code => resolve(code)),
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it("passes its own unit tests, the CI's first gate", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--test'], {
      cwd: SKELETON,
      env: { PATH: process.env.PATH },
    });
    expect(stdout).toMatch(/^# fail 0$/m);
    expect(stdout).toMatch(/^# pass [1-9]\d*$/m);
  });
});

/** The skeleton's YAML files, relative to the skeleton. */
async function yamlFiles(dir = SKELETON): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await yamlFiles(full)));
    else if (/\.ya?ml$/.test(entry.name)) files.push(full);
  }
  return files;
}

describe('the YAML files of the mesh-service skeleton', () => {
  // A name such as `no` or `on` is a boolean to YAML 1.1 unless quoted:
  // every value filled in is JSON-quoted by `dump`, valid YAML. Comments
  // and GitHub Actions expressions kept verbatim ({% raw %}) are not YAML
  // values of ours.
  it('quote every value they interpolate', async () => {
    const files = await yamlFiles();
    expect(files.map(f => path.relative(SKELETON, f)).sort()).toEqual([
      '.github/workflows/ci.yaml',
      'catalog-info.yaml',
    ]);
    const unquoted: string[] = [];
    for (const file of files) {
      const text = (await fs.readFile(file, 'utf8')).replace(
        /\{% raw %\}[\s\S]*?\{% endraw %\}/g,
        '',
      );
      for (const line of text.split('\n')) {
        if (line.trim().startsWith('#')) continue;
        for (const [, expression] of line.matchAll(/\$\{\{(.*?)\}\}/g)) {
          if (!/\|\s*dump\s*$/.test(expression)) {
            unquoted.push(`${path.relative(SKELETON, file)}: ${line.trim()}`);
          }
        }
      }
    }
    expect(unquoted).toEqual([]);
  });
});
