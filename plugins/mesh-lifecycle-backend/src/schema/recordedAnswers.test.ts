import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import { expectMatchesSpec } from './__testUtils__/expectMatchesSpec';

/**
 * The frontend's component tests answer with responses recorded from the
 * demo backend (scripts/record-demo-answers.mjs). They must stay answers the
 * backend documents: each is checked against the OpenAPI spec.
 */
const RECORDED = join(
  __dirname,
  '../../../mesh-lifecycle/src/__fixtures__/demo',
);

const files = readdirSync(RECORDED).filter(f => f.endsWith('.json'));

describe('the answers recorded from the demo backend', () => {
  it('are there, for every route the entity pages read', () => {
    const routes = new Set(
      files.map(f => f.replace(/^[^.]+\.|\.json$/g, '')).filter(Boolean),
    );
    for (const route of [
      'declaration',
      'lifecycle',
      'mesh',
      'traffic',
      'dependencies',
      'alerts',
      'history',
    ]) {
      expect(routes).toContain(route);
    }
  });

  it.each(files)('%s matches the OpenAPI spec', async file => {
    const recorded = JSON.parse(readFileSync(join(RECORDED, file), 'utf8'));
    await expectMatchesSpec({
      ...recorded,
      request: {
        method: recorded.request.method,
        url: `/api/mesh-lifecycle${recorded.request.url}`,
      },
    });
  });
});
