import { Entity } from '@backstage/catalog-model';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { HttpResponse, JsonBodyType, delay, http } from 'msw';
import { SetupServer } from 'msw/node';
import { ReactElement } from 'react';
import { ExternalRouteRef, RouteRef } from '@backstage/frontend-plugin-api';
import { RECORDED_ANSWERS } from '../__fixtures__/demo';
import { MeshLifecycleClient, meshLifecycleApiRef } from '../api';

const BASE_URL = 'http://backstage:7007';

/** An answer recorded from the demo backend by scripts/record-demo-answers.mjs. */
export interface RecordedAnswer {
  request: { method: string; url: string };
  status: number;
  body: JsonBodyType;
}

/** The name of a recorded answer, e.g. `payment-service.alerts`. */
export type RecordedAnswerName = keyof typeof RECORDED_ANSWERS;

/** The recorded answer of that name. */
export function recorded(name: RecordedAnswerName): RecordedAnswer {
  return structuredClone(RECORDED_ANSWERS[name]) as RecordedAnswer;
}

/** The suffix of answers recorded with the demo's test cluster down. */
const CLUSTER_DOWN = '.cluster-down';

/**
 * msw handlers that answer the plugin's routes as the demo backend did, from
 * the recorded answers (matched by path); `delayMs` holds each answer back.
 * With `testClusterDown`, the answers recorded while the demo's test cluster
 * was down (`meshLifecycleDemo.unreachableClusters`) are served where there
 * are some, the others where not.
 */
export function recordedBackend(
  options: { delayMs?: number; testClusterDown?: boolean } = {},
) {
  const names = Object.keys(RECORDED_ANSWERS) as RecordedAnswerName[];
  const down = names.filter(n => n.endsWith(CLUSTER_DOWN));
  const up = names.filter(n => !n.endsWith(CLUSTER_DOWN));
  const answers = (options.testClusterDown ? [...down, ...up] : up).map(
    recorded,
  );
  return http.get(`${BASE_URL}/api/mesh-lifecycle/*`, async ({ request }) => {
    // Entity kinds are case-insensitive, as in the catalog.
    const pathname = new URL(request.url).pathname.toLocaleLowerCase('en-US');
    const answer = answers.find(
      a =>
        `/api/mesh-lifecycle${new URL(a.request.url, BASE_URL).pathname}` ===
        pathname,
    );
    if (options.delayMs) await delay(options.delayMs);
    if (!answer) {
      return HttpResponse.json(
        {
          error: {
            name: 'NotFoundError',
            message: `nothing recorded for ${pathname}`,
          },
        },
        { status: 404 },
      );
    }
    return HttpResponse.json(answer.body, { status: answer.status });
  });
}

/** The catalog entity of a demo service, as the demo catalog holds it. */
export function demoEntity(
  name: string,
  annotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'backstage.io/kubernetes-id': name, ...annotations },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  };
}

/**
 * Renders an entity card for a demo service in a test app whose mesh
 * lifecycle API is the real client, talking to `server` (msw).
 */
export function renderForEntity(
  element: ReactElement,
  entity: string | Entity,
  server: SetupServer,
  handlers = [recordedBackend()],
  /** Route refs mounted on paths, for the links an element makes. */
  routes: Record<string, RouteRef | ExternalRouteRef> = {},
) {
  server.use(...handlers);
  const client = new MeshLifecycleClient({
    discoveryApi: mockApis.discovery({ baseUrl: BASE_URL }),
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });
  return renderInTestApp(
    <EntityProvider
      entity={typeof entity === 'string' ? demoEntity(entity) : entity}
    >
      {element}
    </EntityProvider>,
    {
      apis: [[meshLifecycleApiRef, client]],
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        ...routes,
      },
    },
  );
}
