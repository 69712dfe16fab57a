import { readServiceDeclaration } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { createServiceEntity } from './createServiceEntity';

describe('createServiceEntity', () => {
  it('builds a service entity the plugins read back as declared', () => {
    const entity = createServiceEntity({
      name: 'cart-service',
      phase: 'operate',
      kubernetesNamespace: 'shop',
      cluster: 'prod',
      dependsOn: ['component:pricing-service'],
    });
    expect(entity.spec).toMatchObject({
      type: 'service',
      dependsOn: ['component:pricing-service'],
    });
    expect(readServiceDeclaration(entity)).toMatchObject({
      entityRef: 'component:default/cart-service',
      target: {
        kubernetesId: 'cart-service',
        namespace: 'shop',
        cluster: 'prod',
      },
      declaredPhase: { phase: 'operate', source: 'annotation' },
    });
  });

  it('lets explicit annotations win over derived ones', () => {
    const entity = createServiceEntity({
      name: 'cart-service',
      annotations: { 'backstage.io/kubernetes-id': 'cart' },
    });
    expect(readServiceDeclaration(entity).target.kubernetesId).toBe('cart');
  });
});
