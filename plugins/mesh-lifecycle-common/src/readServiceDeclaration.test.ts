import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  parseMeshAnnotations,
  readServiceDeclaration,
} from './readServiceDeclaration';

function service(
  annotations: Record<string, string>,
  lifecycle = 'production',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'checkout-service', namespace: 'shop', annotations },
    spec: { type: 'service', lifecycle, owner: 'team-commerce' },
  };
}

describe('readServiceDeclaration', () => {
  it('reads the Kubernetes target, phase, replacement and thresholds', () => {
    const declaration = readServiceDeclaration(
      service({
        'backstage.io/kubernetes-id': 'checkout-service',
        'backstage.io/kubernetes-namespace': 'shop',
        'backstage.io/kubernetes-cluster': 'prod',
        'mesh-lifecycle.io/phase': 'deploy',
        'mesh-lifecycle.io/replaced-by': 'checkout-v2',
        'mesh-lifecycle.io/replaces': 'group:other/legacy',
        'mesh-lifecycle.io/p95-latency-ms': '500',
        'mesh-lifecycle.io/error-ratio-percent': '0.5',
      }),
    );
    expect(declaration).toEqual({
      entityRef: 'component:shop/checkout-service',
      target: {
        kubernetesId: 'checkout-service',
        namespace: 'shop',
        cluster: 'prod',
      },
      declaredPhase: { phase: 'deploy', source: 'annotation' },
      replacedBy: 'component:shop/checkout-v2',
      replaces: 'group:other/legacy',
      thresholds: { p95LatencyMs: 500, errorRatioPercent: 0.5 },
    });
  });

  it.each([
    ['experimental', 'develop'],
    ['production', 'operate'],
    ['deprecated', 'retire'],
  ])('maps spec.lifecycle %s to the %s phase', (lifecycle, phase) => {
    expect(
      readServiceDeclaration(service({}, lifecycle)).declaredPhase,
    ).toEqual({ phase, source: 'spec.lifecycle' });
  });

  it('reads the label selector annotation into its structured form', () => {
    const declaration = readServiceDeclaration(
      service({
        'backstage.io/kubernetes-label-selector':
          'app=reviews, tier in (web,api),!legacy',
      }),
    );
    expect(declaration.target.labelSelector).toEqual({
      matchLabels: { app: 'reviews' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['web', 'api'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
  });

  it('rejects a label selector it cannot rewrite safely, naming the annotation', () => {
    expect(() =>
      readServiceDeclaration(
        service({
          'backstage.io/kubernetes-label-selector': 'app=reviews;rm -rf',
        }),
      ),
    ).toThrow(
      /annotation backstage\.io\/kubernetes-label-selector of component:shop\/checkout-service/,
    );
  });

  it('reads when the owners were notified of the retirement', () => {
    expect(
      readServiceDeclaration(
        service({ 'mesh-lifecycle.io/retirement-notified': '2026-11-02' }),
      ).retirementNotified,
    ).toBe('2026-11-02');
    expect(() =>
      readServiceDeclaration(
        service({ 'mesh-lifecycle.io/retirement-notified': 'last week' }),
      ),
    ).toThrow(
      'Annotation mesh-lifecycle.io/retirement-notified of component:shop/checkout-service must be an ISO 8601 date, e.g. 2026-11-26, got "last week"',
    );
  });

  it('declares no phase for an unknown spec.lifecycle', () => {
    expect(
      readServiceDeclaration(service({}, 'sunset')).declaredPhase,
    ).toBeUndefined();
  });

  it('keeps "none" as an explicit absence of replacement', () => {
    expect(
      readServiceDeclaration(
        service({ 'mesh-lifecycle.io/replaced-by': 'none' }),
      ).replacedBy,
    ).toBe('none');
  });

  it.each([
    ['backstage.io/kubernetes-id', 'checkout service'],
    ['backstage.io/kubernetes-id', 'a'.repeat(64)],
    ['backstage.io/kubernetes-id', 'app=x,env in (a)'],
    ['backstage.io/kubernetes-namespace', 'Shop'],
    ['backstage.io/kubernetes-namespace', 'shop"} or vector(1)'],
    ['backstage.io/kubernetes-cluster', 'prod/../x'],
    ['mesh-lifecycle.io/phase', 'production'],
    ['mesh-lifecycle.io/p95-latency-ms', 'fast'],
    ['mesh-lifecycle.io/p95-latency-ms', '-1'],
    ['mesh-lifecycle.io/error-ratio-percent', ''],
    ['mesh-lifecycle.io/replaced-by', 'a:b:c/d'],
  ])('rejects %s = %j with an InputError naming it', (key, value) => {
    const read = () => readServiceDeclaration(service({ [key]: value }));
    expect(read).toThrow(InputError);
    expect(read).toThrow(
      `Annotation ${key} of component:shop/checkout-service must be`,
    );
  });
});

describe('parseMeshAnnotations', () => {
  it('names the given subject in its errors', () => {
    expect(() =>
      parseMeshAnnotations(
        { 'backstage.io/kubernetes-namespace': 'Bad_NS' },
        { subject: 'the template input' },
      ),
    ).toThrow(
      'Annotation backstage.io/kubernetes-namespace of the template input must be a Kubernetes namespace name, got "Bad_NS"',
    );
  });

  it('resolves entity references against the given namespace', () => {
    expect(
      parseMeshAnnotations(
        { 'mesh-lifecycle.io/replaces': 'old-service' },
        { subject: 'x', namespace: 'retail' },
      ).replaces,
    ).toBe('component:retail/old-service');
  });
});
