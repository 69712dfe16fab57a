import {
  EXTERNAL_SOURCE,
  LatencyDistribution,
  MeshModel,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';

/** The demo's emulated clusters, named as in the catalog's annotations. */
export type DemoClusterName = 'dev' | 'test' | 'prod';

const fast: LatencyDistribution = {
  kind: 'lognormal',
  medianMs: 12,
  p95Ms: 60,
};
const medium: LatencyDistribution = {
  kind: 'lognormal',
  medianMs: 35,
  p95Ms: 180,
};

/**
 * The traffic of each demo cluster, matching `examples/clusters/`: a canary at
 * 90/10, a payment service whose 5xx ratio is over its 0.5 % threshold, a
 * search service in test whose p95 is over 1 s, and a retiring service whose
 * last caller moved away an hour before `now`.
 */
export function createDemoTrafficModels(
  now: Date,
): Record<DemoClusterName, MeshModel> {
  const anHourAgo = new Date(now.getTime() - 60 * 60 * 1000);
  return {
    dev: {
      seed: 11,
      cluster: 'dev',
      services: [
        {
          name: 'loyalty-service',
          namespace: 'shop-dev',
          versions: [{ version: 'v1', weight: 100 }],
          latencyMs: medium,
          errorRatio4xx: 0.03,
          mtlsShare: 0.6,
        },
      ],
      edges: [
        {
          source: EXTERNAL_SOURCE,
          destination: 'loyalty-service',
          requestsPerSecond: 2,
        },
      ],
    },
    test: {
      seed: 12,
      cluster: 'test',
      services: [
        {
          name: 'search-service',
          namespace: 'shop-test',
          serviceAccount: 'search-service',
          versions: [
            { version: 'v1', weight: 80 },
            {
              version: 'v2',
              weight: 20,
              latencyMs: { kind: 'lognormal', medianMs: 400, p95Ms: 2200 },
            },
          ],
          latencyMs: { kind: 'lognormal', medianMs: 300, p95Ms: 1400 },
          errorRatio5xx: 0.004,
        },
        {
          name: 'search-service-e2e',
          namespace: 'shop-test',
          versions: [{ version: 'v1', weight: 100 }],
          latencyMs: fast,
        },
      ],
      edges: [
        {
          source: 'search-service-e2e',
          destination: 'search-service',
          requestsPerSecond: 5,
        },
      ],
    },
    prod: {
      seed: 13,
      cluster: 'prod',
      services: [
        {
          name: 'checkout-service',
          namespace: 'shop',
          versions: [
            { version: 'v1', weight: 90 },
            {
              version: 'v2',
              weight: 10,
              latencyMs: { kind: 'lognormal', medianMs: 70, p95Ms: 320 },
            },
          ],
          latencyMs: { kind: 'lognormal', medianMs: 60, p95Ms: 280 },
          errorRatio5xx: 0.002,
          errorRatio4xx: 0.02,
        },
        ...['cart-service', 'user-service', 'inventory-service'].map(name => ({
          name,
          namespace: 'shop',
          versions: [{ version: 'v1', weight: 100 }],
          latencyMs: fast,
          errorRatio5xx: 0.0005,
          errorRatio4xx: 0.01,
        })),
        {
          name: 'payment-service',
          namespace: 'shop',
          versions: [{ version: 'v1', weight: 100 }],
          latencyMs: { kind: 'lognormal', medianMs: 90, p95Ms: 420 },
          errorRatio5xx: 0.02,
        },
        {
          name: 'product-catalog-service',
          namespace: 'shop',
          versions: [{ version: 'v1', weight: 100 }],
          latencyMs: fast,
          errorRatio4xx: 0.05,
        },
        {
          name: 'pricing-service',
          namespace: 'shop',
          versions: [{ version: 'v1', weight: 100 }],
          latencyMs: fast,
        },
        {
          name: 'legacy-pricing-service',
          namespace: 'shop',
          versions: [{ version: 'v1', weight: 100 }],
          latencyMs: medium,
          idleAfter: anHourAgo,
        },
      ],
      edges: [
        {
          source: EXTERNAL_SOURCE,
          destination: 'checkout-service',
          requestsPerSecond: 40,
        },
        {
          source: 'checkout-service',
          destination: 'cart-service',
          requestsPerSecond: 35,
        },
        {
          source: 'checkout-service',
          destination: 'payment-service',
          requestsPerSecond: 20,
        },
        {
          source: 'checkout-service',
          destination: 'inventory-service',
          requestsPerSecond: 30,
        },
        {
          source: 'checkout-service',
          destination: 'pricing-service',
          requestsPerSecond: 25,
        },
        {
          source: 'checkout-service',
          destination: 'user-service',
          requestsPerSecond: 30,
        },
        {
          source: 'cart-service',
          destination: 'product-catalog-service',
          requestsPerSecond: 50,
        },
        {
          source: 'cart-service',
          destination: 'pricing-service',
          requestsPerSecond: 20,
        },
        {
          source: 'product-catalog-service',
          destination: 'inventory-service',
          requestsPerSecond: 15,
        },
        {
          source: 'inventory-service',
          destination: 'pricing-service',
          requestsPerSecond: 5,
        },
        {
          source: 'inventory-service',
          destination: 'legacy-pricing-service',
          requestsPerSecond: 5,
        },
      ],
    },
  };
}
