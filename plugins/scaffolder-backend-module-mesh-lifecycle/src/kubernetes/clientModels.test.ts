import { KubeConfig } from '@kubernetes/client-node';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { applyObjects } from './applyObjects';
import { fromClientModel, toClientModel } from './clientModels';

const networkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'isolate', namespace: 'team-a-test' },
  spec: {
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [
          {
            namespaceSelector: {
              matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' },
            },
          },
        ],
      },
    ],
  },
};

describe('client models', () => {
  it('renames the fields the client models name differently, both ways', () => {
    const model = toClientModel(networkPolicy);
    expect(model).toMatchObject({
      spec: { ingress: [{ _from: networkPolicy.spec.ingress[0].from }] },
    });
    expect(JSON.stringify(model)).not.toContain('"from"');
    expect(fromClientModel(model)).toEqual(networkPolicy);
  });

  it('leaves kinds without a client model and unknown fields alone', () => {
    const virtualService = {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'cart' },
      spec: { http: [{ route: [{ destination: { host: 'cart' } }] }] },
    };
    expect(toClientModel(virtualService)).toEqual(virtualService);
    const withExtra = {
      ...networkPolicy,
      spec: { ...networkPolicy.spec, x: 1 },
    };
    expect(fromClientModel(toClientModel(withExtra))).toEqual(withExtra);
  });

  describe('through the client to an API server', () => {
    let emulator: KubernetesEmulator;
    let kubeConfig: KubeConfig;

    beforeAll(async () => {
      emulator = await startKubernetesEmulator();
      kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(emulator.kubeconfig());
    });
    afterAll(() => emulator.stop());

    it('applies a NetworkPolicy with its ingress sources intact', async () => {
      const namespace = {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'team-a-test' },
      };
      const first = await applyObjects({
        kubeConfig,
        objects: [namespace, networkPolicy],
      });
      expect(first.objects.map(o => o.outcome)).toEqual(['created', 'created']);
      const stored = emulator.get(
        'networking.k8s.io/v1',
        'NetworkPolicy',
        'team-a-test',
        'isolate',
      );
      expect(stored?.spec).toEqual(networkPolicy.spec);

      const again = await applyObjects({
        kubeConfig,
        objects: [namespace, networkPolicy],
      });
      expect(again.objects.map(o => [o.outcome, o.changes])).toEqual([
        ['unchanged', []],
        ['unchanged', []],
      ]);
    });
  });
});
