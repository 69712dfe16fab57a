import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from './startKubernetesEmulator';

// Each kubectl run takes a few hundred milliseconds, more on a busy machine.
jest.setTimeout(60_000);

const KUBECTL = '/usr/bin/kubectl';
const run = promisify(execFile);

/** Runs kubectl against a kubeconfig; a failure resolves with its exit code and stderr. */
async function kubectl(
  kubeconfig: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      KUBECTL,
      ['--kubeconfig', kubeconfig, ...args],
      {
        env: {
          ...process.env,
          HOME: process.env.HOME ?? '/tmp',
          KUBECACHEDIR: `${kubeconfig}.cache`,
        },
        timeout: 30_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return {
      code: failed.code,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

describe('the real kubectl against the emulator', () => {
  let emulator: KubernetesEmulator;

  beforeAll(async () => {
    emulator = await startKubernetesEmulator({
      name: 'kubectl-test',
      tls: true,
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: 'shop' },
          spec: {
            selector: { matchLabels: { app: 'web' } },
            template: {
              metadata: { labels: { app: 'web' } },
              spec: { containers: [{ name: 'web', image: 'nginx' }] },
            },
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'web', namespace: 'shop' },
          spec: { ports: [{ port: 80 }] },
        },
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: { name: 'web', namespace: 'shop' },
          spec: { hosts: ['web'] },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'elsewhere', namespace: 'other' },
          spec: {},
        },
      ],
    });
  });

  afterAll(async () => {
    await emulator.stop();
  });

  it('lists deployments, services and virtualservices after discovery', async () => {
    try {
      await access(KUBECTL, constants.X_OK);
    } catch {
      throw new Error(
        `${KUBECTL} is missing: install Debian's kubectl package (apt-get install kubectl) to run this test`,
      );
    }
    const kubeconfig = await emulator.writeKubeconfig();
    const { stdout } = await run(
      KUBECTL,
      [
        '--kubeconfig',
        kubeconfig,
        'get',
        'deployments,services,virtualservices.networking.istio.io',
        '-n',
        'shop',
        '-o',
        'json',
      ],
      {
        env: {
          ...process.env,
          HOME: process.env.HOME ?? '/tmp',
          KUBECACHEDIR: `${kubeconfig}.cache`,
        },
        timeout: 30_000,
      },
    );
    const list: {
      kind: string;
      items: Array<{
        apiVersion: string;
        kind: string;
        metadata: { name: string };
      }>;
    } = JSON.parse(stdout);
    expect(list.kind).toBe('List');
    expect(
      list.items.map(i => `${i.apiVersion} ${i.kind} ${i.metadata.name}`),
    ).toEqual([
      'apps/v1 Deployment web',
      'v1 Service web',
      'networking.istio.io/v1 VirtualService web',
    ]);
    expect(emulator.calls.count({ path: '/apis' })).toBeGreaterThan(0);
  });

  it('applies server-side only into existing namespaces, without writing when nothing changes, and deletes', async () => {
    const kubeconfig = await emulator.writeKubeconfig();
    const dir = await mkdtemp(join(tmpdir(), 'kubectl-'));
    const manifest = (namespace: string) => {
      const file = join(dir, `${namespace}.yaml`);
      return writeFile(
        file,
        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: ${namespace}}\ndata: {mode: a}\n`,
      ).then(() => file);
    };

    // --validate=false: the emulator serves no OpenAPI documents for kubectl's validation.
    for (const dryRun of [[], ['--dry-run=server']]) {
      const missing = await kubectl(kubeconfig, [
        'apply',
        '--server-side',
        '--validate=false',
        ...dryRun,
        '-f',
        await manifest('nowhere'),
      ]);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain(
        'Error from server (NotFound): namespaces "nowhere" not found',
      );
    }

    const file = await manifest('shop');
    expect(
      (
        await kubectl(kubeconfig, [
          'apply',
          '--server-side',
          '--validate=false',
          '-f',
          file,
        ])
      ).code,
    ).toBe(0);
    const first = emulator.get('v1', 'ConfigMap', 'shop', 'settings');
    expect(first?.metadata).toMatchObject({
      managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
    });
    expect(
      (
        await kubectl(kubeconfig, [
          'apply',
          '--server-side',
          '--validate=false',
          '-f',
          file,
        ])
      ).code,
    ).toBe(0);
    expect(emulator.get('v1', 'ConfigMap', 'shop', 'settings')).toEqual(first);

    // kubectl sends DeleteOptions in the body, dryRun included.
    expect(
      (
        await kubectl(kubeconfig, [
          'delete',
          'configmap',
          'settings',
          '-n',
          'shop',
          '--dry-run=server',
        ])
      ).code,
    ).toBe(0);
    expect(emulator.get('v1', 'ConfigMap', 'shop', 'settings')).toBeDefined();
    expect(
      (
        await kubectl(kubeconfig, [
          'delete',
          'configmap',
          'settings',
          '-n',
          'shop',
        ])
      ).code,
    ).toBe(0);
    expect(emulator.get('v1', 'ConfigMap', 'shop', 'settings')).toBeUndefined();
  });
});
