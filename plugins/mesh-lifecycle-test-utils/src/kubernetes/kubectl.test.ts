import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { promisify } from 'node:util';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from './startKubernetesEmulator';

const KUBECTL = '/usr/bin/kubectl';
const run = promisify(execFile);

describe('the real kubectl against the emulator', () => {
  let emulator: KubernetesEmulator;

  beforeAll(async () => {
    emulator = await startKubernetesEmulator({
      name: 'kubectl-test',
      tls: true,
      objects: [
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
});
