import { JsonObject } from './json';
import { applyPatchOfType, mergePatch, strategicMergePatch } from './patch';

describe('patches', () => {
  const pod: JsonObject = {
    metadata: { name: 'p', labels: { a: '1', b: '2' } },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'app:1',
          env: [{ name: 'A', value: '1' }],
          ports: [{ containerPort: 80 }],
        },
        { name: 'proxy', image: 'envoy:1' },
      ],
    },
  };

  it('merge patch replaces lists and deletes with null', () => {
    expect(
      mergePatch(pod, {
        metadata: { labels: { a: null, c: '3' } },
        spec: { containers: [] },
      }),
    ).toEqual({
      metadata: { name: 'p', labels: { b: '2', c: '3' } },
      spec: { containers: [] },
    });
  });

  it('strategic merge patch merges containers, env and ports by key and honours $patch', () => {
    const result = strategicMergePatch(pod, {
      spec: {
        containers: [
          {
            name: 'app',
            image: 'app:2',
            env: [{ name: 'B', value: '2' }],
            ports: [{ containerPort: 8080 }],
          },
          { name: 'proxy', $patch: 'delete' },
          { name: 'init', image: 'busybox' },
        ],
      },
    });
    expect(result).toEqual({
      metadata: pod.metadata,
      spec: {
        containers: [
          {
            name: 'app',
            image: 'app:2',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            ports: [{ containerPort: 80 }, { containerPort: 8080 }],
          },
          { name: 'init', image: 'busybox' },
        ],
      },
    });
    expect(
      strategicMergePatch(pod, {
        spec: {
          containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }],
        },
      }),
    ).toEqual({
      metadata: pod.metadata,
      spec: { containers: [{ name: 'only', image: 'x' }] },
    });
  });

  it('applies JSON patches and reports failed operations as 400 Status errors', () => {
    expect(
      applyPatchOfType('application/json-patch+json', pod, [
        { op: 'replace', path: '/metadata/name', value: 'q' },
      ]),
    ).toMatchObject({ metadata: { name: 'q' } });
    expect(() =>
      applyPatchOfType('application/json-patch+json', pod, [
        { op: 'test', path: '/metadata/name', value: 'x' },
      ]),
    ).toThrow(expect.objectContaining({ code: 400 }));
    expect(() => applyPatchOfType('text/plain', pod, {})).toThrow(
      expect.objectContaining({ code: 415 }),
    );
  });
});
