import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import {
  describeKubernetesFailure,
  kubernetesFailure,
} from './kubernetesFailure';

describe('kubernetesFailure', () => {
  let emulator: KubernetesEmulator;
  let core: CoreV1Api;

  beforeAll(async () => {
    emulator = await startKubernetesEmulator();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(emulator.kubeconfig());
    core = kubeConfig.makeApiClient(CoreV1Api);
  });
  afterAll(() => emulator.stop());

  it("reads the server's Status out of a refused call", async () => {
    const error = await core
      .readNamespace({ name: 'nowhere' })
      .catch((e: unknown) => e);
    expect(kubernetesFailure(error)).toEqual({
      code: 404,
      message: 'namespaces "nowhere" not found',
      reason: 'NotFound',
      causes: [],
    });
    expect(describeKubernetesFailure(error)).toBe(
      'HTTP 404: namespaces "nowhere" not found',
    );
  });

  it('keeps field causes, and never the credentials', async () => {
    const error = await core
      .createNamespace({ body: { metadata: { name: 'Not Valid' } } })
      .catch((e: unknown) => e);
    const failure = kubernetesFailure(error);
    expect(failure.code).toBe(422);
    expect(failure.causes).toContainEqual(
      expect.objectContaining({ field: 'metadata.name' }),
    );
    expect(JSON.stringify(failure)).not.toContain(emulator.token);
  });

  it('gives the message of other errors', () => {
    expect(kubernetesFailure(new Error('connect ECONNREFUSED'))).toEqual({
      message: 'connect ECONNREFUSED',
      causes: [],
    });
    expect(describeKubernetesFailure('odd')).toBe('odd');
  });
});
