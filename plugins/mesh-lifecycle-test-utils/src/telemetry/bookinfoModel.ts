import { EXTERNAL_SOURCE, MeshModel } from './MeshModel';

/**
 * A small Bookinfo-like mesh: an external caller hits `productpage`, which
 * calls `reviews` (v1 90 %, v2 10 %, v2 failing 5 %) and `ratings` over gRPC,
 * plus a TCP edge from `ratings` to `mongodb`. Handy for demos and tests.
 *
 * @public
 */
export function bookinfoModel(seed = 42): MeshModel {
  return {
    seed,
    services: [
      {
        name: 'productpage',
        namespace: 'bookinfo',
        versions: [{ version: 'v1', weight: 100 }],
        latencyMs: { kind: 'lognormal', medianMs: 40, p95Ms: 180 },
        errorRatio4xx: 0.02,
      },
      {
        name: 'reviews',
        namespace: 'bookinfo',
        versions: [
          { version: 'v1', weight: 90 },
          {
            version: 'v2',
            weight: 10,
            errorRatio5xx: 0.05,
            latencyMs: { kind: 'lognormal', medianMs: 60, p95Ms: 400 },
          },
        ],
        latencyMs: { kind: 'lognormal', medianMs: 20, p95Ms: 90 },
        errorRatio5xx: 0.002,
        mtlsShare: 0.8,
      },
      {
        name: 'ratings',
        namespace: 'bookinfo',
        versions: [{ version: 'v1', weight: 100 }],
        latencyMs: {
          kind: 'piecewise',
          segments: [
            { upToMs: 5, weight: 60 },
            { upToMs: 20, weight: 35 },
            { upToMs: 200, weight: 5 },
          ],
        },
        protocol: 'grpc',
      },
      {
        name: 'mongodb',
        namespace: 'bookinfo',
        versions: [{ version: 'v1', weight: 100 }],
        latencyMs: { kind: 'lognormal', medianMs: 2, p95Ms: 10 },
      },
    ],
    edges: [
      {
        source: EXTERNAL_SOURCE,
        destination: 'productpage',
        requestsPerSecond: 20,
      },
      { source: 'productpage', destination: 'reviews', requestsPerSecond: 40 },
      { source: 'reviews', destination: 'ratings', requestsPerSecond: 12 },
      {
        source: 'ratings',
        destination: 'mongodb',
        tcp: {
          connectionsPerSecond: 2,
          sentBytesPerConnection: 512,
          receivedBytesPerConnection: 4096,
        },
      },
    ],
  };
}
