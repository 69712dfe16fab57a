/**
 * The parts of Kubernetes and Istio objects that the mesh logic reads. They
 * are structural: any object with these fields fits, whatever its version.
 *
 * @public
 */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * A route destination of a VirtualService.
 *
 * @public
 */
export interface RouteDestination {
  destination?: { host?: string; subset?: string; port?: { number?: number } };
  weight?: number;
}

/**
 * An Istio VirtualService (networking.istio.io v1 or v1beta1).
 *
 * @public
 */
export interface VirtualServiceLike {
  metadata?: ObjectMeta;
  spec?: {
    hosts?: string[];
    http?: Array<{
      name?: string;
      route?: RouteDestination[];
      /** Conditions; `gateways` restricts a match to some gateways. */
      match?: Array<{ gateways?: string[] }>;
    }>;
    tcp?: Array<{ route?: RouteDestination[] }>;
    tls?: Array<{ route?: RouteDestination[] }>;
  };
}

/**
 * An Istio DestinationRule.
 *
 * @public
 */
export interface DestinationRuleLike {
  metadata?: ObjectMeta;
  spec?: {
    host?: string;
    subsets?: Array<{ name?: string; labels?: Record<string, string> }>;
  };
}

/**
 * An Istio PeerAuthentication or AuthorizationPolicy: objects that apply to
 * workloads through a selector, to a namespace, or to the mesh.
 *
 * @public
 */
export interface WorkloadPolicyLike {
  metadata?: ObjectMeta;
  spec?: {
    selector?: { matchLabels?: Record<string, string> };
    mtls?: { mode?: string };
  };
}
