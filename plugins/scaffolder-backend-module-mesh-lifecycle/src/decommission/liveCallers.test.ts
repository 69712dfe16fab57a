import {
  DependenciesResponse,
  DependencyCaller,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { serviceDependents } from './liveCallers';

const caller = (over: Partial<DependencyCaller>): DependencyCaller => ({
  service: 'inventory-service',
  workload: 'inventory-service-v1',
  namespace: 'shop',
  external: false,
  requestsPerSecond: 0.25,
  errorRatio: 0,
  entities: [],
  declared: false,
  ...over,
});

/** legacy-pricing-service's dependencies over a day, as the backend answers. */
const answer = (
  sources: DependenciesResponse['sources'],
): DependenciesResponse => ({
  entityRef: 'component:default/legacy-pricing-service',
  windowSeconds: 86_400,
  catalog: { source: 'catalog', status: 'ok' },
  sources,
  unobserved: {
    dependents: [
      {
        entityRef: 'component:default/reporting-service',
        owner: 'group:default/team-data',
        via: 'dependsOn',
      },
    ],
    dependencies: [],
  },
});

describe('serviceDependents', () => {
  it('names each live caller with its owners and rate, and every owner to notify', () => {
    const found = serviceDependents(
      answer([
        {
          source: 'prometheus p',
          status: 'ok',
          callees: [],
          callers: [
            caller({
              entities: [
                {
                  entityRef: 'component:default/inventory-service',
                  owner: 'group:default/team-platform',
                },
              ],
              declared: true,
            }),
            caller({
              workload: 'batch-job',
              namespace: 'jobs',
              requestsPerSecond: 0.0012,
            }),
            caller({
              external: true,
              workload: 'unknown',
              namespace: 'unknown',
            }),
            // Seen in the window's series, but no longer calling.
            caller({ workload: 'old-cron', requestsPerSecond: 0 }),
            // Quiet, but declared in the catalog: still a dependent to tell.
            caller({
              workload: 'billing-v1',
              requestsPerSecond: 0,
              declared: true,
              entities: [
                {
                  entityRef: 'component:default/billing-service',
                  owner: 'group:default/team-billing',
                },
              ],
            }),
          ],
        },
      ]),
    );
    expect(found.callers).toEqual([
      'component:default/inventory-service (owner group:default/team-platform) calls it at 0.25 req/s over the last 1 day (prometheus p)',
      'workload batch-job in jobs (not in the catalog) calls it at 0.0012 req/s over the last 1 day (prometheus p)',
      'callers without a sidecar (outside the mesh) call it at 0.25 req/s over the last 1 day (prometheus p)',
    ]);
    expect(found.owners).toEqual([
      'group:default/team-billing',
      'group:default/team-data',
      'group:default/team-platform',
    ]);
    expect(found.dependents).toEqual([
      'component:default/billing-service',
      'component:default/inventory-service',
      'component:default/reporting-service',
    ]);
    expect(found.unanswered).toEqual([]);
  });

  it('says which sources did not answer, so missing callers are not taken for none', () => {
    const found = serviceDependents(
      answer([
        {
          source: 'prometheus p',
          status: 'error',
          error: { name: 'Error', message: 'connect ECONNREFUSED' },
        },
      ]),
    );
    expect(found.callers).toEqual([]);
    expect(found.unanswered).toEqual(['prometheus p: connect ECONNREFUSED']);
  });
});
