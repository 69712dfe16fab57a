import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../prometheus/findFreePort';
import { ManagedProcess, createManagedProcess } from './createManagedProcess';

jest.setTimeout(30_000);

const node = process.execPath;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the process is gone within a second: on a loaded machine the
 * kernel may still list a killed process for a moment after its exit event.
 */
async function isGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 20 && isAlive(pid); i++) {
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  return !isAlive(pid);
}

describe('createManagedProcess', () => {
  let managed: ManagedProcess | undefined;
  let scratch: string;

  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'managed-process-test-'));
  });
  afterEach(async () => {
    await managed?.stop();
    managed = undefined;
    await rm(scratch, { recursive: true, force: true });
  });

  it('waits until a server that listens late is ready, running it in its directory with the env given', async () => {
    const port = await findFreePort();
    managed = await createManagedProcess({
      name: 'Demo',
      tempDirPrefix: 'managed-process-demo-',
      env: { ...process.env, DEMO_GREETING: 'hello' },
      stopGraceMs: 5000,
    });
    await managed.start(
      node,
      [
        '-e',
        `setTimeout(() => require('node:http')
          .createServer((req, res) => res.end(JSON.stringify({
            cwd: process.cwd(), greeting: process.env.DEMO_GREETING,
          })))
          .listen(${port}, '127.0.0.1'), 300);`,
      ],
      {
        isReady: async () =>
          (await fetch(`http://127.0.0.1:${port}/`)).status === 200,
        timeoutMs: 10_000,
      },
    );
    const answer = await (await fetch(`http://127.0.0.1:${port}/`)).json();
    expect(answer).toEqual({ cwd: managed.dir, greeting: 'hello' });

    await managed.stop();
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    expect(existsSync(managed.dir)).toBe(false);
  });

  it('reports an early exit with the last lines of stderr', async () => {
    managed = await createManagedProcess({
      name: 'Demo',
      tempDirPrefix: 'managed-process-demo-',
      stopGraceMs: 5000,
    });
    await expect(
      managed.start(
        node,
        ['-e', `console.error('line one\\nbad flag --x'); process.exit(3);`],
        { isReady: async () => false, timeoutMs: 10_000, pollIntervalMs: 10 },
      ),
    ).rejects.toThrow(
      'Demo exited with code 3 before it was ready; last lines of its stderr:\nline one\nbad flag --x',
    );
  });

  it('gives up at the deadline, counting a throw from isReady as not ready', async () => {
    managed = await createManagedProcess({
      name: 'Demo',
      tempDirPrefix: 'managed-process-demo-',
      stopGraceMs: 5000,
    });
    await expect(
      managed.start(node, ['-e', 'setInterval(() => {}, 1000);'], {
        isReady: async () => {
          throw new Error('connection refused');
        },
        timeoutMs: 500,
      }),
    ).rejects.toThrow(
      /^Demo was not ready within 500 ms; last lines of its stderr:\n/,
    );
  });

  it('keeps only the last 40 lines of stderr', async () => {
    managed = await createManagedProcess({
      name: 'Demo',
      tempDirPrefix: 'managed-process-demo-',
      stopGraceMs: 5000,
    });
    const error: Error = await managed
      .start(
        node,
        [
          '-e',
          `for (let i = 1; i <= 100; i++) console.error('line ' + i); process.exit(1);`,
        ],
        { isReady: async () => false, timeoutMs: 10_000 },
      )
      .then(
        () => new Error('started'),
        e => e,
      );
    const tail = error.message.split('stderr:\n')[1];
    expect(tail).toContain('line 100');
    expect(tail).toContain('line 62');
    expect(tail).not.toContain('line 61');
  });

  it('stops a server that ignores the stop signal with SIGKILL after the grace period', async () => {
    const log = join(scratch, 'signals.log');
    managed = await createManagedProcess({
      name: 'Demo',
      tempDirPrefix: 'managed-process-demo-',
      env: { ...process.env, SIGNAL_LOG: log },
      stopGraceMs: 200,
    });
    await managed.start(
      node,
      [
        '-e',
        `const fs = require('node:fs');
         process.on('SIGTERM', () => fs.appendFileSync(process.env.SIGNAL_LOG, 'SIGTERM\\n'));
         fs.writeFileSync('pid', String(process.pid));
         setInterval(() => {}, 1000);`,
      ],
      {
        isReady: async () => existsSync(join(managed!.dir, 'pid')),
        timeoutMs: 10_000,
      },
    );
    const pid = Number(await readFile(join(managed.dir, 'pid'), 'utf8'));
    expect(isAlive(pid)).toBe(true);

    await managed.stop();
    expect(await readFile(log, 'utf8')).toBe('SIGTERM\n');
    expect(await isGone(pid)).toBe(true);
    expect(existsSync(managed.dir)).toBe(false);
  });

  it('asks with the stop signal given, and waits for the server to end', async () => {
    const log = join(scratch, 'signals.log');
    managed = await createManagedProcess({
      name: 'Demo',
      tempDirPrefix: 'managed-process-demo-',
      env: { ...process.env, SIGNAL_LOG: log },
      stopSignal: 'SIGINT',
      stopGraceMs: 60_000,
    });
    await managed.start(
      node,
      [
        '-e',
        `const fs = require('node:fs');
         process.on('SIGINT', () => setTimeout(() => {
           fs.appendFileSync(process.env.SIGNAL_LOG, 'shut down\\n');
           process.exit(0);
         }, 200));
         fs.writeFileSync('ready', '');
         setInterval(() => {}, 1000);`,
      ],
      {
        isReady: async () => existsSync(join(managed!.dir, 'ready')),
        timeoutMs: 10_000,
      },
    );

    await Promise.all([managed.stop(), managed.stop()]);
    expect(await readFile(log, 'utf8')).toBe('shut down\n');
  });

  it('runs a command to completion and reports its failure with its label and stderr', async () => {
    managed = await createManagedProcess({
      name: 'Demo',
      tempDirPrefix: 'managed-process-demo-',
      env: { ...process.env, DEMO_INPUT: 'broken.om' },
      stopGraceMs: 5000,
    });
    await managed.run(node, [
      '-e',
      `require('node:fs').writeFileSync('out', process.env.DEMO_INPUT);`,
    ]);
    expect(await readFile(join(managed.dir, 'out'), 'utf8')).toBe('broken.om');

    await expect(
      managed.run(
        node,
        [
          '-e',
          `console.error('cannot parse ' + process.env.DEMO_INPUT); process.exit(2);`,
        ],
        'demo import',
      ),
    ).rejects.toThrow(
      'demo import exited with code 2:\ncannot parse broken.om',
    );
    await expect(managed.run('/nonexistent/tool', [])).rejects.toThrow(
      /^\/nonexistent\/tool failed to run: .*ENOENT/,
    );
  });

  it('removes its directory when stopped before anything started', async () => {
    managed = await createManagedProcess({
      name: 'Demo',
      tempDirPrefix: 'managed-process-demo-',
      stopGraceMs: 5000,
    });
    expect(existsSync(managed.dir)).toBe(true);
    await managed.stop();
    expect(existsSync(managed.dir)).toBe(false);
  });
});
