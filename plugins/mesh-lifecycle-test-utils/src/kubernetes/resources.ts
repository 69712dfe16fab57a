import { JsonObject } from './json';

/**
 * A custom resource the emulator should serve in addition to the built-in ones.
 *
 * @public
 */
export interface CustomResourceDefinition {
  /** API group, e.g. `mesh.example.com`. */
  group: string;
  /** Version served, e.g. `v1alpha1`. */
  version: string;
  /** Kind, e.g. `MeshPolicy`. */
  kind: string;
  /** Plural resource name, e.g. `meshpolicies`. */
  plural: string;
  /** Whether objects live in namespaces. */
  namespaced: boolean;
  /** Singular name; defaults to the lower-cased kind. */
  singular?: string;
  /** Short names for kubectl. */
  shortNames?: string[];
  /** Whether the `status` subresource is enabled. */
  status?: boolean;
}

/** One resource served at one group/version. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  /** Whether the `status` subresource exists. */
  status: boolean;
  /** Whether the `scale` subresource exists. */
  scale: boolean;
  /** Key of the storage shared by every version of the resource. */
  storageKey: string;
}

/** `apps/v1` or `v1`. */
export function apiVersionOf(
  resource: Pick<ResourceType, 'group' | 'version'>,
): string {
  return resource.group
    ? `${resource.group}/${resource.version}`
    : resource.version;
}

type Entry = [
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames: string[],
  subresources?: 'status' | 'status+scale',
];

const CORE: Entry[] = [
  ['Namespace', 'namespaces', false, ['ns'], 'status'],
  ['Pod', 'pods', true, ['po'], 'status'],
  ['Service', 'services', true, ['svc'], 'status'],
  ['ConfigMap', 'configmaps', true, ['cm']],
  ['Secret', 'secrets', true, []],
  ['ServiceAccount', 'serviceaccounts', true, ['sa']],
  ['Endpoints', 'endpoints', true, ['ep']],
  ['Event', 'events', true, ['ev']],
  ['LimitRange', 'limitranges', true, ['limits']],
  ['ResourceQuota', 'resourcequotas', true, ['quota'], 'status'],
  ['PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc'], 'status'],
];

const BUILT_IN: Array<{ group: string; versions: string[]; entries: Entry[] }> =
  [
    { group: '', versions: ['v1'], entries: CORE },
    {
      group: 'apps',
      versions: ['v1'],
      entries: [
        ['Deployment', 'deployments', true, ['deploy'], 'status+scale'],
        ['ReplicaSet', 'replicasets', true, ['rs'], 'status+scale'],
        ['StatefulSet', 'statefulsets', true, ['sts'], 'status+scale'],
        ['DaemonSet', 'daemonsets', true, ['ds'], 'status'],
      ],
    },
    {
      group: 'networking.k8s.io',
      versions: ['v1'],
      entries: [
        ['NetworkPolicy', 'networkpolicies', true, ['netpol']],
        ['Ingress', 'ingresses', true, ['ing'], 'status'],
      ],
    },
    {
      group: 'policy',
      versions: ['v1'],
      entries: [
        [
          'PodDisruptionBudget',
          'poddisruptionbudgets',
          true,
          ['pdb'],
          'status',
        ],
      ],
    },
    {
      group: 'autoscaling',
      versions: ['v2'],
      entries: [
        [
          'HorizontalPodAutoscaler',
          'horizontalpodautoscalers',
          true,
          ['hpa'],
          'status',
        ],
      ],
    },
    {
      group: 'batch',
      versions: ['v1'],
      entries: [
        ['Job', 'jobs', true, [], 'status'],
        ['CronJob', 'cronjobs', true, ['cj'], 'status'],
      ],
    },
    {
      group: 'monitoring.coreos.com',
      versions: ['v1'],
      entries: [
        ['ServiceMonitor', 'servicemonitors', true, ['smon']],
        ['PrometheusRule', 'prometheusrules', true, ['promrule']],
      ],
    },
  ];

const ISTIO_NETWORKING: Entry[] = [
  ['VirtualService', 'virtualservices', true, ['vs'], 'status'],
  ['DestinationRule', 'destinationrules', true, ['dr'], 'status'],
  ['Gateway', 'gateways', true, ['gw'], 'status'],
  ['ServiceEntry', 'serviceentries', true, ['se'], 'status'],
  ['Sidecar', 'sidecars', true, [], 'status'],
];

const ISTIO_SECURITY: Entry[] = [
  ['PeerAuthentication', 'peerauthentications', true, ['pa'], 'status'],
  ['AuthorizationPolicy', 'authorizationpolicies', true, ['ap'], 'status'],
  ['RequestAuthentication', 'requestauthentications', true, ['ra'], 'status'],
];

/** Options that shape which resources a registry serves. */
export interface ResourceRegistryOptions {
  /** Versions of `networking.istio.io` to serve, preferred first. Default `['v1', 'v1beta1']`. */
  istioNetworkingVersions?: string[];
  /** Versions of `security.istio.io` to serve, preferred first. Default `['v1', 'v1beta1']`. */
  istioSecurityVersions?: string[];
  /** Serve prometheus-operator's `monitoring.coreos.com` (ServiceMonitors, PrometheusRules). Default `true`. */
  prometheusOperator?: boolean;
  /** Additional custom resources. */
  customResources?: CustomResourceDefinition[];
}

/** The table of resources an emulator serves, and its discovery documents. */
export class ResourceRegistry {
  private readonly resources: ResourceType[] = [];
  /** Group name → versions, preferred first, in registration order. */
  private readonly groups = new Map<string, string[]>();

  constructor(options: ResourceRegistryOptions = {}) {
    for (const { group, versions, entries } of BUILT_IN) {
      if (
        group === 'monitoring.coreos.com' &&
        options.prometheusOperator === false
      ) {
        continue;
      }
      this.addGroup(group, versions, entries);
    }
    this.addGroup(
      'networking.istio.io',
      options.istioNetworkingVersions ?? ['v1', 'v1beta1'],
      ISTIO_NETWORKING,
    );
    this.addGroup(
      'security.istio.io',
      options.istioSecurityVersions ?? ['v1', 'v1beta1'],
      ISTIO_SECURITY,
    );
    for (const crd of options.customResources ?? []) {
      this.register({
        group: crd.group,
        version: crd.version,
        kind: crd.kind,
        plural: crd.plural,
        singular: crd.singular ?? crd.kind.toLowerCase(),
        namespaced: crd.namespaced,
        shortNames: crd.shortNames ?? [],
        status: crd.status ?? false,
        scale: false,
        storageKey: `${crd.group}/${crd.plural}`,
      });
    }
  }

  private addGroup(group: string, versions: string[], entries: Entry[]): void {
    for (const version of versions) {
      for (const [
        kind,
        plural,
        namespaced,
        shortNames,
        subresources,
      ] of entries) {
        this.register({
          group,
          version,
          kind,
          plural,
          singular: kind.toLowerCase(),
          namespaced,
          shortNames,
          status: subresources !== undefined,
          scale: subresources === 'status+scale',
          storageKey: `${group}/${plural}`,
        });
      }
    }
  }

  private register(resource: ResourceType): void {
    this.resources.push(resource);
    const versions = this.groups.get(resource.group) ?? [];
    if (!versions.includes(resource.version)) {
      versions.push(resource.version);
    }
    this.groups.set(resource.group, versions);
  }

  /** Finds the resource served at a group/version under a plural name. */
  byPlural(
    group: string,
    version: string,
    plural: string,
  ): ResourceType | undefined {
    return this.resources.find(
      r => r.group === group && r.version === version && r.plural === plural,
    );
  }

  /** Finds the resource for an object's `apiVersion` and `kind`. */
  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.resources.find(
      r => apiVersionOf(r) === apiVersion && r.kind === kind,
    );
  }

  /** Whether a group/version is served at all. */
  servesVersion(group: string, version: string): boolean {
    return this.groups.get(group)?.includes(version) ?? false;
  }

  /** `/api`: the APIVersions document. */
  coreVersions(serverAddress: string): JsonObject {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }

  /** `/apis`: the APIGroupList document. */
  groupList(): JsonObject {
    const groups: JsonObject[] = [];
    for (const [name, versions] of this.groups) {
      if (name === '') {
        continue;
      }
      const list = versions.map(version => ({
        groupVersion: `${name}/${version}`,
        version,
      }));
      groups.push({ name, versions: list, preferredVersion: list[0] });
    }
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }

  /** `/apis/<group>`: the APIGroup document, or undefined when the group is not served. */
  group(name: string): JsonObject | undefined {
    const versions = this.groups.get(name);
    if (!versions || name === '') {
      return undefined;
    }
    const list = versions.map(version => ({
      groupVersion: `${name}/${version}`,
      version,
    }));
    return {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name,
      versions: list,
      preferredVersion: list[0],
    };
  }

  /** `/api/v1` or `/apis/<group>/<version>`: the APIResourceList document. */
  resourceList(group: string, version: string): JsonObject {
    const resources: JsonObject[] = [];
    for (const r of this.resources) {
      if (r.group !== group || r.version !== version) {
        continue;
      }
      resources.push({
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: [
          'create',
          'delete',
          'deletecollection',
          'get',
          'list',
          'patch',
          'update',
          'watch',
        ],
        ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
      });
      if (r.scale) {
        resources.push({
          name: `${r.plural}/scale`,
          singularName: '',
          namespaced: r.namespaced,
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
          verbs: ['get', 'patch', 'update'],
        });
      }
      if (r.status) {
        resources.push({
          name: `${r.plural}/status`,
          singularName: '',
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: ['get', 'patch', 'update'],
        });
      }
    }
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources,
    };
  }
}
