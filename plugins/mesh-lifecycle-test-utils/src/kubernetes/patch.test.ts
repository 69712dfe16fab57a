import { JsonObject, JsonValue } from './json';
import { StatusError } from './status';
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

  it('applies JSON patches; one that does not apply is a 422, one that does not decode a 400, as kube-apiserver answers', () => {
    const jsonPatch = (patch: JsonValue) =>
      applyPatchOfType('application/json-patch+json', pod, patch);
    const statusOf = (patch: JsonValue) => {
      try {
        jsonPatch(patch);
      } catch (error) {
        if (error instanceof StatusError) return error.status;
        throw error;
      }
      throw new Error('the patch was expected to fail');
    };
    expect(
      jsonPatch([
        { op: 'test', path: '/metadata/name', value: 'p' },
        { op: 'replace', path: '/metadata/name', value: 'q' },
      ]),
    ).toMatchObject({ metadata: { name: 'q' } });
    expect(jsonPatch(null)).toEqual(pod);

    const notApplicable = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server rejected our request due to an error in our request',
      reason: 'Invalid',
      details: {},
      code: 422,
    };
    expect(
      statusOf([{ op: 'test', path: '/metadata/name', value: 'x' }]),
    ).toEqual(notApplicable);
    expect(statusOf([{ op: 'remove', path: '/metadata/missing' }])).toEqual(
      notApplicable,
    );
    expect(statusOf([{ op: 'frobnicate', path: '/metadata' }])).toEqual(
      notApplicable,
    );
    expect(statusOf([{ path: '/metadata' }])).toEqual(notApplicable);
    expect(statusOf([{ op: 'replace', path: '', value: 1 }])).toMatchObject({
      code: 422,
      reason: 'Invalid',
      details: { causes: [{ field: 'patch', reason: 'FieldValueInvalid' }] },
    });

    expect(statusOf({ op: 'test' })).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message:
        'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    });
    expect(statusOf(['remove'])).toMatchObject({
      code: 400,
      message:
        'json: cannot unmarshal string into Go value of type jsonpatch.Operation',
    });
    expect(() => applyPatchOfType('text/plain', pod, {})).toThrow(
      expect.objectContaining({ code: 415 }),
    );
  });
});
