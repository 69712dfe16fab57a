import { registerMswTestHooks } from '@backstage/test-utils';
import { mockApis } from '@backstage/frontend-test-utils';
import { ResponseError } from '@backstage/errors';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { MeshLifecycleClient } from './MeshLifecycleClient';

const server = setupServer();

describe('MeshLifecycleClient', () => {
  registerMswTestHooks(server);

  const baseUrl = 'http://backstage:7007/api/mesh-lifecycle';
  const client = new MeshLifecycleClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://backstage:7007' }),
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });

  it('asks the backend for the declaration, escaping every segment', async () => {
    const seen: string[] = [];
    server.use(
      http.get(
        `${baseUrl}/entities/:kind/:namespace/:name/declaration`,
        ({ request, params }) => {
          seen.push(new URL(request.url).pathname);
          return HttpResponse.json({
            entityRef: `component:${params.namespace}/${params.name}`,
            target: {},
            thresholds: {},
          });
        },
      ),
    );
    const declaration = await client.getDeclaration({
      kind: 'component',
      namespace: 'a/b',
      name: 'odd name?',
    });
    expect(seen).toEqual([
      '/api/mesh-lifecycle/entities/component/a%2Fb/odd%20name%3F/declaration',
    ]);
    expect(declaration.entityRef).toBe('component:a/b/odd name?');
  });

  it('asks for the traffic over the window, from a reference string', async () => {
    const seen: string[] = [];
    server.use(
      http.get(
        `${baseUrl}/entities/:kind/:namespace/:name/traffic`,
        ({ request }) => {
          const url = new URL(request.url);
          seen.push(`${url.pathname}${url.search}`);
          return HttpResponse.json({
            entityRef: 'component:default/reviews',
            windowSeconds: Number(url.searchParams.get('window')),
            sources: [],
          });
        },
      ),
    );
    const traffic = await client.getTraffic('component:default/reviews', {
      windowSeconds: 900,
    });
    expect(seen).toEqual([
      '/api/mesh-lifecycle/entities/component/default/reviews/traffic?window=900',
    ]);
    expect(traffic.windowSeconds).toBe(900);
  });

  it('turns an error response into a ResponseError with the backend message', async () => {
    server.use(
      http.get(`${baseUrl}/entities/:kind/:namespace/:name/declaration`, () =>
        HttpResponse.json(
          {
            error: { name: 'InputError', message: 'Annotation x is bad' },
            request: { method: 'GET', url: '/' },
            response: { statusCode: 400 },
          },
          { status: 400 },
        ),
      ),
    );
    const promise = client.getDeclaration({
      kind: 'component',
      namespace: 'default',
      name: 'x',
    });
    await expect(promise).rejects.toBeInstanceOf(ResponseError);
    await expect(promise).rejects.toMatchObject({
      body: { error: { name: 'InputError', message: 'Annotation x is bad' } },
    });
  });
});
