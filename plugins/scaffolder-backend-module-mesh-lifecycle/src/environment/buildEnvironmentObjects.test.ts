/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "expectInputError"] }] */
import { InputError } from '@backstage/errors';
import {
  ANNOTATION_EXPIRES_AT,
  ANNOTATION_OWNER,
  LABEL_ENVIRONMENT,
  LABEL_MANAGED_BY,
  LABEL_OWNER,
  LABEL_TEST_ENVIRONMENT,
  MANAGED_BY_MESH_LIFECYCLE,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  EnvironmentObjectsInput,
  LABEL_NAMESPACE_NAME,
  TEST_ENVIRONMENT_MAX_PODS,
  buildEnvironmentObjects,
  formatExpiresAt,
  parseTtl,
} from './buildEnvironmentObjects';

const EXPIRES = new Date('2026-03-04T05:06:07.890Z');

function build(overrides: Partial<EnvironmentObjectsInput> = {}) {
  return buildEnvironmentObjects({
    name: 'pr-123-checkout',
    owner: 'group:default/team-a',
    expiresAt: EXPIRES,
    ...overrides,
  });
}

function byKind(
  kind: string,
  overrides: Partial<EnvironmentObjectsInput> = {},
) {
  const found = build(overrides).objects.filter(o => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0] as (typeof found)[0] & { spec: Record<string, unknown> };
}

function expectInputError(fn: () => unknown, field: string) {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InputError);
  expect((error as Error).message).toMatch(
    new RegExp(`^Input ${field.replace(/[[\].]/g, '\\$&')} `),
  );
}

describe('buildEnvironmentObjects', () => {
  it('builds the labelled Namespace first, then the policy and the quota', () => {
    const result = build({ owner: 'team-b' });
    expect(
      result.objects.map(o => `${o.kind}/${o.metadata?.namespace ?? ''}`),
    ).toEqual([
      'Namespace/',
      'NetworkPolicy/pr-123-checkout',
      'ResourceQuota/pr-123-checkout',
    ]);
    expect(result.owner).toBe('group:default/team-b');
    expect(result.expiresAt).toBe('2026-03-04T05:06:07Z');
    expect(result.objects[0]).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'pr-123-checkout',
        labels: {
          'istio-injection': 'enabled',
          [LABEL_ENVIRONMENT]: 'test',
          [LABEL_MANAGED_BY]: MANAGED_BY_MESH_LIFECYCLE,
          [LABEL_TEST_ENVIRONMENT]: 'true',
          [LABEL_OWNER]: 'team-b',
        },
        annotations: {
          [ANNOTATION_OWNER]: 'group:default/team-b',
          [ANNOTATION_EXPIRES_AT]: '2026-03-04T05:06:07Z',
        },
      },
    });
  });

  it('lets in only its own namespace, istio-system, monitoring and the extra ones', () => {
    const policy = byKind('NetworkPolicy', {
      allowFromNamespaces: ['shop', 'istio-system', 'pr-123-checkout', 'shop'],
      monitoringNamespace: 'observability',
    });
    expect(policy.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchExpressions: [
                  {
                    key: LABEL_NAMESPACE_NAME,
                    operator: 'In',
                    values: [
                      'pr-123-checkout',
                      'istio-system',
                      'observability',
                      'shop',
                    ],
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const defaults = byKind('NetworkPolicy');
    expect(JSON.stringify(defaults.spec)).toContain('"monitoring"');
  });

  it('fills the quota from defaults and overrides', () => {
    expect(byKind('ResourceQuota').spec).toEqual({
      hard: {
        'requests.cpu': '4',
        'requests.memory': '8Gi',
        'limits.cpu': '8',
        'limits.memory': '16Gi',
        pods: '50',
      },
    });
    expect(
      byKind('ResourceQuota', {
        quota: {
          requests: { cpu: '500m' },
          limits: { memory: '10Gi' },
          pods: 7,
        },
      }).spec,
    ).toEqual({
      hard: {
        'requests.cpu': '500m',
        'requests.memory': '8Gi',
        'limits.cpu': '8',
        'limits.memory': '10Gi',
        pods: '7',
      },
    });
  });

  it('accepts the boundary values: the most pods, limits equal to requests in other units', () => {
    expect(
      byKind('ResourceQuota', {
        quota: {
          requests: { cpu: '1', memory: '1Gi' },
          limits: { cpu: '1000m', memory: '1024Mi' },
          pods: TEST_ENVIRONMENT_MAX_PODS,
        },
      }).spec,
    ).toEqual({
      hard: {
        'requests.cpu': '1',
        'requests.memory': '1Gi',
        'limits.cpu': '1000m',
        'limits.memory': '1024Mi',
        pods: String(TEST_ENVIRONMENT_MAX_PODS),
      },
    });
  });

  it('writes the Namespace without metadata.namespace: it is cluster-scoped', () => {
    const namespace = byKind('Namespace', { name: 'no' });
    expect(namespace.metadata).not.toHaveProperty('namespace');
    expect(namespace.metadata?.name).toBe('no');
  });

  it.each([
    [{ name: 'Bad_Name' }, 'name'],
    [{ name: 'a'.repeat(64) }, 'name'],
    [{ name: '-x' }, 'name'],
    [{ owner: 'component:default/checkout' }, 'owner'],
    [{ owner: '' }, 'owner'],
    [{ owner: 'group:default/a:b:c' }, 'owner'],
    [{ allowFromNamespaces: ['ok', 'Not OK'] }, 'allowFromNamespaces[1]'],
    [{ monitoringNamespace: 'mon.itoring' }, 'monitoringNamespace'],
    [{ quota: { requests: { cpu: 'four' } } }, 'quota.requests.cpu'],
    [{ quota: { limits: { memory: '0Gi' } } }, 'quota.limits.memory'],
    [{ quota: { requests: { cpu: '9' } } }, 'quota.limits.cpu'],
    [{ quota: { requests: { memory: '1Ti' } } }, 'quota.limits.memory'],
    [{ quota: { pods: 0 } }, 'quota.pods'],
    [{ quota: { pods: 2.5 } }, 'quota.pods'],
    [{ quota: { pods: 3e9 } }, 'quota.pods'],
    [{ quota: { pods: TEST_ENVIRONMENT_MAX_PODS + 1 } }, 'quota.pods'],
    [
      { quota: { requests: { memory: '1Gi' }, limits: { memory: '1000Mi' } } },
      'quota.limits.memory',
    ],
    [
      { quota: { requests: { cpu: '1' }, limits: { cpu: '999m' } } },
      'quota.limits.cpu',
    ],
    [{ expiresAt: new Date(Number.NaN) }, 'expiresAt'],
  ])('refuses %j naming %s', (overrides, field) => {
    expectInputError(
      () => build(overrides as Partial<EnvironmentObjectsInput>),
      field,
    );
  });
});

describe('parseTtl', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['48h', 48 * 3600_000],
    ['7d', 7 * 24 * 3600_000],
    ['1d12h', 36 * 3600_000],
    ['30d', 30 * 24 * 3600_000],
  ])('reads %s', (value, ms) => {
    expect(parseTtl(value)).toBe(ms);
  });

  it.each(['', '0h', '31d', '30d1m', '1w', '48', 'h', '1.5h', '-1h', ' 2h'])(
    'refuses %j',
    value => {
      expectInputError(() => parseTtl(value), 'ttl');
    },
  );

  it('formats expiry in whole UTC seconds', () => {
    expect(formatExpiresAt(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 999)))).toBe(
      '2026-01-02T03:04:05Z',
    );
  });
});
