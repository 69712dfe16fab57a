import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterRoleRules } from './clusterRoleRules';
import { startKubernetesEmulator } from './startKubernetesEmulator';

const RBAC = join(__dirname, '../../../../examples/rbac/mesh-lifecycle.yaml');

describe('clusterRoleRules', () => {
  it("reads a ClusterRole's rules as the emulator's token rules, and the emulator enforces them", async () => {
    const rules = clusterRoleRules(RBAC, 'mesh-lifecycle-read');
    expect(rules).toContainEqual({
      apiGroups: ['apps'],
      resources: ['deployments'],
      verbs: ['get', 'list', 'watch'],
    });
    const emulator = await startKubernetesEmulator({
      tokens: { reader: { user: 'mesh-lifecycle', rules } },
    });
    try {
      const get = (path: string) =>
        fetch(`${emulator.url}${path}`, {
          headers: { authorization: 'Bearer reader' },
        });
      expect((await get('/apis/apps/v1/deployments')).status).toBe(200);
      expect((await get('/api/v1/secrets')).status).toBe(403);
    } finally {
      await emulator.stop();
    }
  });

  it('names what it cannot use', () => {
    expect(() => clusterRoleRules(RBAC, 'cluster-admin')).toThrow(
      `${RBAC} has no ClusterRole cluster-admin`,
    );
    const file = join(mkdtempSync(join(tmpdir(), 'rbac-')), 'role.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: ClusterRole',
        'metadata: { name: narrow }',
        'rules:',
        '  - apiGroups: [""]',
        '    resources: [configmaps]',
        '    resourceNames: [settings]',
        '    verbs: [get]',
      ].join('\n'),
    );
    expect(() => clusterRoleRules(file, 'narrow')).toThrow(
      'ClusterRole narrow rule 0: resourceNames and nonResourceURLs are not emulated',
    );
  });
});
