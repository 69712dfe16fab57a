import {
  DestinationRuleLike,
  ObjectMeta,
  VirtualServiceLike,
  WorkloadPolicyLike,
} from '../mesh/istioTypes';
import { MeshServiceRef } from '../mesh/serviceHosts';

/**
 * Client-side TLS settings of a DestinationRule traffic policy.
 *
 * @public
 */
export interface ClientTlsSettingsLike {
  /** `DISABLE`, `SIMPLE`, `MUTUAL` or `ISTIO_MUTUAL`. */
  mode?: string;
}

/**
 * A DestinationRule traffic policy, as far as TLS is concerned.
 *
 * @public
 */
export interface TrafficPolicyLike {
  tls?: ClientTlsSettingsLike;
  portLevelSettings?: Array<{
    port?: { number?: number };
    tls?: ClientTlsSettingsLike;
  }>;
}

/**
 * A DestinationRule with its traffic policies (top level, per port and per
 * subset).
 *
 * @public
 */
export interface ValidatedDestinationRule extends DestinationRuleLike {
  spec?: {
    host?: string;
    trafficPolicy?: TrafficPolicyLike;
    subsets?: Array<{
      name?: string;
      labels?: Record<string, string>;
      trafficPolicy?: TrafficPolicyLike;
    }>;
    exportTo?: string[];
  };
}

/**
 * A VirtualService with the gateways it binds to (none means `mesh`, the
 * sidecars).
 *
 * @public
 */
export interface ValidatedVirtualService extends VirtualServiceLike {
  spec?: VirtualServiceLike['spec'] & {
    gateways?: string[];
    exportTo?: string[];
  };
}

/**
 * A PeerAuthentication, with its per-port modes keyed by workload port.
 *
 * @public
 */
export interface ValidatedPeerAuthentication extends WorkloadPolicyLike {
  spec?: WorkloadPolicyLike['spec'] & {
    portLevelMtls?: Record<string, { mode?: string }>;
  };
}

/**
 * The `source` of an AuthorizationPolicy rule.
 *
 * @public
 */
export interface AuthorizationSourceLike {
  /** Peer identities, `<trust domain>/ns/<namespace>/sa/<service account>`. */
  principals?: string[];
  notPrincipals?: string[];
  namespaces?: string[];
  notNamespaces?: string[];
  /** Service accounts, `<namespace>/<name>` or a name in the policy's namespace. */
  serviceAccounts?: string[];
}

/**
 * An AuthorizationPolicy, with the sources its rules admit, the hosts they
 * apply to and the attributes their conditions read.
 *
 * @public
 */
export interface ValidatedAuthorizationPolicy extends WorkloadPolicyLike {
  spec?: WorkloadPolicyLike['spec'] & {
    action?: string;
    rules?: Array<{
      from?: Array<{ source?: AuthorizationSourceLike }>;
      to?: Array<{ operation?: { hosts?: string[] } }>;
      /** Conditions; `key` is an attribute such as `source.principal`. */
      when?: Array<{ key?: string }>;
    }>;
  };
}

/**
 * A Kubernetes Service: its selector and ports.
 *
 * @public
 */
export interface KubernetesServiceLike {
  metadata?: ObjectMeta;
  spec?: {
    selector?: Record<string, string>;
    ports?: Array<{
      name?: string;
      appProtocol?: string;
      port?: number;
      targetPort?: number | string;
      protocol?: string;
    }>;
  };
}

/**
 * A workload (Deployment or another pod controller): its pod template's
 * labels and service account.
 *
 * @public
 */
export interface WorkloadLike {
  /** Kind reported in findings; `Deployment` when absent. */
  kind?: string;
  metadata?: ObjectMeta;
  spec?: {
    template?: {
      metadata?: { labels?: Record<string, string> };
      spec?: { serviceAccountName?: string };
    };
  };
}

/**
 * An Istio ServiceEntry: hosts outside the Kubernetes service registry, the
 * namespaces it is exported to and the labels of its endpoints.
 *
 * @public
 */
export interface ServiceEntryLike {
  metadata?: ObjectMeta;
  spec?: {
    hosts?: string[];
    exportTo?: string[];
    endpoints?: Array<{ labels?: Record<string, string> }>;
  };
}

/**
 * An Istio Gateway (networking.istio.io): the gateway workloads it selects
 * and the hosts each of its servers exposes on a port.
 *
 * @public
 */
export interface GatewayLike {
  metadata?: ObjectMeta;
  spec?: {
    selector?: Record<string, string>;
    servers?: Array<{
      port?: { number?: number; name?: string; protocol?: string };
      /** `<host>` or `<namespace>/<host>`, `*` and `*.` prefixes allowed. */
      hosts?: string[];
    }>;
  };
}

/**
 * A Pod, known by its labels: gateways select pods, and not every pod has a
 * Deployment.
 *
 * @public
 */
export interface PodLike {
  metadata?: ObjectMeta;
}

/**
 * An object known by its name only: a Namespace or a ServiceAccount.
 *
 * @public
 */
export interface NamedObjectLike {
  metadata?: ObjectMeta;
}

/**
 * The objects of one cluster that the mesh configuration validator reads.
 *
 * @public
 */
export interface MeshConfigSnapshot {
  namespaces: NamedObjectLike[];
  services: KubernetesServiceLike[];
  workloads: WorkloadLike[];
  serviceAccounts: NamedObjectLike[];
  virtualServices: ValidatedVirtualService[];
  destinationRules: ValidatedDestinationRule[];
  serviceEntries: ServiceEntryLike[];
  peerAuthentications: ValidatedPeerAuthentication[];
  authorizationPolicies: ValidatedAuthorizationPolicy[];
  /**
   * The Istio Gateways; left out when they were not read, in which case the
   * checks that need them (KIA0301, KIA0302, KIA1102) are not made.
   */
  gateways?: GatewayLike[];
  /**
   * The Pods, for the gateway selectors (KIA0302), which may select pods no
   * Deployment of `workloads` templates.
   */
  pods?: PodLike[];
}

/**
 * How serious a finding is: `error` breaks traffic or security, `warning`
 * is likely unintended, `info` is worth knowing.
 *
 * @public
 */
export type ValidationSeverity = 'error' | 'warning' | 'info';

/**
 * The object a finding is about.
 *
 * @public
 */
export interface ValidationObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

/**
 * One problem found in the mesh configuration of a service or namespace.
 *
 * @public
 */
export interface ValidationFinding {
  /** Kiali's code where Kiali has an equivalent check, e.g. `KIA1107`. */
  code: string;
  severity: ValidationSeverity;
  message: string;
  /** What to change to fix it. */
  hint: string;
  object: ValidationObjectRef;
  /** JSON path in the object, e.g. `spec.http[0].route[1].destination.subset`. */
  path: string;
}

/**
 * A check of the validator, as listed for users.
 *
 * @public
 */
export interface ValidationRuleDescription {
  code: string;
  severity: ValidationSeverity;
  /** What the check reports, in Kiali's wording where Kiali has the check. */
  title: string;
  /** How such a finding is fixed in general. */
  hint: string;
  /** The Kiali check it follows (its check id), if any. */
  kialiCheck?: string;
  /**
   * The severities some findings carry instead of `severity`, where Kiali
   * lowers it: e.g. KIA0203 is `info` for a subset no route uses.
   */
  otherSeverities?: ValidationSeverity[];
}

/**
 * How the cluster's mesh is set up, as far as the validator needs to know.
 *
 * @public
 */
export interface MeshValidationSettings {
  snapshot: MeshConfigSnapshot;
  /** Istio's root namespace, whose selector-less policies are mesh-wide. */
  rootNamespace?: string;
  clusterDomain?: string;
  /** Trust domain of the cluster's workload identities. */
  trustDomain?: string;
  /**
   * Istio's `enableAutoMtls` mesh setting (default `true`, as in Istio):
   * sidecars then send mTLS wherever the server accepts it, so no
   * DestinationRule is needed to enable it (KIA0105, KIA0205, KIA0206,
   * KIA0401, KIA0501).
   */
  autoMtls?: boolean;
  /**
   * Istio's `outboundTrafficPolicy.mode`. As in Kiali, `ALLOW_ANY` lowers
   * hosts missing from the registry (KIA0104, KIA0202, KIA1101) to warnings;
   * left out, it counts as `REGISTRY_ONLY`.
   */
  outboundTrafficPolicyMode?: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /**
   * Istiod's `PILOT_SCOPE_GATEWAY_TO_NAMESPACE`: a Gateway selects gateway
   * workloads of its own namespace only (KIA0302). Default `false`.
   */
  scopeGatewayToNamespace?: boolean;
}

/**
 * What to validate: the objects that concern one service.
 *
 * @public
 */
export interface ValidateMeshConfigOptions extends MeshValidationSettings {
  /** The service the findings must concern. */
  service: MeshServiceRef;
}

/**
 * What to validate: every object of a namespace, or of the whole cluster.
 *
 * @public
 */
export interface ValidateMeshNamespaceOptions extends MeshValidationSettings {
  /** The namespace whose objects are validated; every namespace if left out. */
  namespace?: string;
}
