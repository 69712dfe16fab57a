import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { objectApiFor } from '../kubernetes/__testUtils__/objectApiFor';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { join } from 'path';
import {
  VirtualServiceObject,
  selectRoute,
  weightsPatch,
} from './virtualServiceRoute';

const HOST = 'checkout-service.shop.svc.cluster.local';

function virtualService(http: unknown[]): VirtualServiceObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'checkout', namespace: 'shop', resourceVersion: '7' },
    spec: {
      hosts: ['checkout'],
      http: http as VirtualServiceObject['spec']['http'],
    },
  };
}

describe('selectRoute', () => {
  it("reads the split route's weights; a lone destination takes 100 %", () => {
    const vs = virtualService([
      {
        name: 'canary-users',
        match: [{ headers: { 'x-canary': { exact: '1' } } }],
        route: [{ destination: { host: HOST, subset: 'v2' } }],
      },
      {
        name: 'default',
        route: [
          { destination: { host: HOST, subset: 'v1' }, weight: 90 },
          { destination: { host: HOST, subset: 'v2' }, weight: 10 },
        ],
      },
    ]);
    expect(selectRoute(vs)).toEqual({
      index: 1,
      name: 'default',
      weights: [
        { host: HOST, subset: 'v1', weight: 90 },
        { host: HOST, subset: 'v2', weight: 10 },
      ],
    });
    expect(selectRoute(vs, 'canary-users').weights).toEqual([
      { host: HOST, subset: 'v2', weight: 100 },
    ]);
  });

  it('asks for the route by name when it cannot tell, naming the routes', () => {
    const one = { route: [{ destination: { host: 'a' } }] };
    expect(() =>
      selectRoute(virtualService([one, { ...one, name: 'b' }])),
    ).toThrow(
      'VirtualService shop/checkout has several HTTP routes (#1 (unnamed), b): name the one to shift',
    );
    expect(() => selectRoute(virtualService([one]), 'x')).toThrow(
      'VirtualService shop/checkout has no HTTP route named "x"; its routes: #1 (unnamed)',
    );
    expect(() => selectRoute(virtualService([]))).toThrow(
      /has no HTTP route to shift/,
    );
  });
});

describe('weightsPatch', () => {
  const vs = virtualService([
    { name: 'health', route: [{ destination: { host: HOST, subset: 'v1' } }] },
    {
      name: 'default',
      timeout: '5s',
      route: [
        {
          destination: { host: HOST, subset: 'v1', port: { number: 80 } },
          weight: 90,
          headers: { request: { set: { x: '1' } } },
        },
        {
          destination: { host: HOST, subset: 'v2', port: { number: 80 } },
          weight: 10,
        },
      ],
    },
  ]);

  it('changes the weights of one route and nothing else, at the version read', () => {
    const patch = weightsPatch(vs, 1, [
      { host: HOST, subset: 'v1', weight: 75 },
      { host: HOST, subset: 'v2', weight: 25 },
    ]);
    expect(patch.metadata).toEqual({
      name: 'checkout',
      namespace: 'shop',
      resourceVersion: '7',
    });
    expect(patch.spec.http).toEqual([
      vs.spec.http![0],
      {
        name: 'default',
        timeout: '5s',
        route: [
          {
            destination: { host: HOST, subset: 'v1', port: { number: 80 } },
            weight: 75,
            headers: { request: { set: { x: '1' } } },
          },
          {
            destination: { host: HOST, subset: 'v2', port: { number: 80 } },
            weight: 25,
          },
        ],
      },
    ]);
  });

  it('adds the host a migration moves to; refuses to drop a destination or bad weights', () => {
    const patch = weightsPatch(vs, 1, [
      { host: HOST, subset: 'v1', weight: 0 },
      { host: HOST, subset: 'v2', weight: 0 },
      { host: 'pricing.shop.svc.cluster.local', weight: 100 },
    ]);
    expect((patch.spec.http![1] as { route: unknown[] }).route[2]).toEqual({
      destination: { host: 'pricing.shop.svc.cluster.local' },
      weight: 100,
    });
    expect(() =>
      weightsPatch(vs, 1, [{ host: HOST, subset: 'v2', weight: 100 }]),
    ).toThrow(/leave out .*\(v1\), a destination of the route/);
    expect(() =>
      weightsPatch(vs, 1, [
        { host: HOST, subset: 'v1', weight: 70 },
        { host: HOST, subset: 'v2', weight: 20 },
      ]),
    ).toThrow(/sum to 90/);
  });
});

describe('weightsPatch on the API server', () => {
  let emulator: KubernetesEmulator;
  let api: KubernetesObjectApi;

  beforeAll(async () => {
    emulator = await startKubernetesEmulator({
      manifests: join(__dirname, '../../../../examples/clusters/prod'),
    });
    api = objectApiFor(emulator);
  });
  afterAll(() => emulator?.stop());

  const read = async () =>
    (await api.read({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'checkout-service', namespace: 'shop' },
    })) as unknown as VirtualServiceObject;
  const write = (patch: VirtualServiceObject) =>
    api.patch(
      patch,
      undefined,
      undefined,
      'mesh-lifecycle-traffic',
      undefined,
      PatchStrategy.MergePatch,
    );

  it('writes the weights, keeping the rest of the object', async () => {
    const before = await read();
    const { index, weights } = selectRoute(before);
    expect(weights.map(w => w.weight)).toEqual([90, 10]);
    await write(
      weightsPatch(before, index, [
        { ...weights[0], weight: 50 },
        { ...weights[1], weight: 50 },
      ]),
    );
    const after = await read();
    expect(selectRoute(after).weights.map(w => w.weight)).toEqual([50, 50]);
    expect(after.spec.hosts).toEqual(before.spec.hosts);
    const { route: _beforeRoute, ...beforeRest } = before.spec.http![index] as {
      route: unknown;
    };
    const { route: _afterRoute, ...afterRest } = after.spec.http![index] as {
      route: unknown;
    };
    expect(afterRest).toEqual(beforeRest);
  });

  it('is refused with 409 Conflict when the VirtualService changed since it was read', async () => {
    const stale = await read();
    const { index, weights } = selectRoute(stale);
    // Someone else writes meanwhile.
    await write(
      weightsPatch(stale, index, [
        { ...weights[0], weight: 80 },
        { ...weights[1], weight: 20 },
      ]),
    );
    await expect(
      write(
        weightsPatch(stale, index, [
          { ...weights[0], weight: 0 },
          { ...weights[1], weight: 100 },
        ]),
      ),
    ).rejects.toMatchObject({ code: 409 });
    expect(selectRoute(await read()).weights.map(w => w.weight)).toEqual([
      80, 20,
    ]);
  });
});
