import { z } from 'zod/v3';
import { jsonValueSchema, objectReportsSchema } from './objectReportsSchema';

describe('objectReportsSchema', () => {
  const reports = objectReportsSchema(z, 'reports');

  it('takes what applyObjects reports: changes before and after as any JSON', () => {
    const report = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'cart',
      outcome: 'configured',
      changes: [
        { path: 'spec.replicas', before: 2, after: 3 },
        { path: 'metadata.labels', after: { app: 'cart', tier: null } },
        { path: 'spec.template.spec.containers', before: [{ name: 'cart' }] },
      ],
    };
    expect(reports.parse([report])).toEqual([report]);
  });

  it('refuses values that are not JSON', () => {
    const json = jsonValueSchema(z);
    expect(json.safeParse({ a: [1, 'x', { b: true }] }).success).toBe(true);
    expect(json.safeParse({ a: () => 1 }).success).toBe(false);
    expect(json.safeParse([undefined]).success).toBe(false);
    expect(json.safeParse(new Date()).success).toBe(false);
  });
});
