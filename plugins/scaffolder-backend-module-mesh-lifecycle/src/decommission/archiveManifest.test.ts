import yaml from 'yaml';
import { ARCHIVED_SECRET_KEYS, archiveManifest } from './archiveManifest';

const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'legacy-pricing-service-db',
    namespace: 'shop',
    uid: '2f1c',
    managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': '{"data":{}}',
      team: 'commerce',
    },
  },
  type: 'Opaque',
  data: { password: 'c2VjcmV0', username: 'cHJpY2luZw==' },
  stringData: { url: 'postgres://pricing:secret@db/pricing' },
};

describe('archiveManifest', () => {
  it("keeps a Secret's key names but never its values, unless asked", () => {
    const archived = archiveManifest(secret);
    for (const value of ['c2VjcmV0', 'cHJpY2luZw==', 'secret@db']) {
      expect(archived).not.toContain(value);
    }
    expect(yaml.parse(archived)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'legacy-pricing-service-db',
        namespace: 'shop',
        uid: '2f1c',
        annotations: {
          team: 'commerce',
          [ARCHIVED_SECRET_KEYS]: 'password,url,username',
        },
      },
      type: 'Opaque',
    });
    expect(
      yaml.parse(archiveManifest(secret, { includeSecretValues: true })),
    ).toMatchObject({ data: secret.data, stringData: secret.stringData });
  });

  it('writes what Kubernetes reads back as it was: YAML 1.1-safe, without bookkeeping', () => {
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'legacy-pricing-service-flags',
        namespace: 'shop',
        managedFields: [{ manager: 'helm' }],
      },
      data: { rounding: 'on', legacy: 'no', region: 'y', limit: '010' },
    };
    const archived = archiveManifest(configMap);
    expect(archived).not.toContain('managedFields');
    // A YAML 1.1 reader (Kubernetes') gets the strings back, not booleans.
    expect(yaml.parse(archived, { version: '1.1' })).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'legacy-pricing-service-flags', namespace: 'shop' },
      data: configMap.data,
    });
  });
});
