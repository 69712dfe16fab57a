import { ValidatedVirtualService } from './types';

/**
 * A gateway a VirtualService binds to, as written and as resolved.
 *
 * @internal
 */
export interface GatewayReference {
  /** As written, e.g. `istio-system/public` or `public.istio-system`. */
  value: string;
  /** Path of the entry, e.g. `spec.http[0].match[1].gateways[0]`. */
  path: string;
  namespace: string;
  name: string;
  /** Written `<name>.<namespace>[.svc.<domain>]`, the old nomenclature. */
  dotted: boolean;
}

/**
 * Resolves a gateway as Istio does: `<namespace>/<name>`, the older
 * `<name>.<namespace>[...]`, or a bare name in the VirtualService's
 * namespace.
 *
 * @internal
 */
export function resolveGateway(
  value: string,
  namespace: string,
): Pick<GatewayReference, 'namespace' | 'name' | 'dotted'> {
  const slash = value.indexOf('/');
  if (slash >= 0) {
    return {
      namespace: value.slice(0, slash),
      name: value.slice(slash + 1),
      dotted: false,
    };
  }
  if (value.includes('.')) {
    const [name, ns] = value.split('.');
    return { namespace: ns, name, dotted: true };
  }
  return { namespace, name: value, dotted: false };
}

/**
 * The gateways a VirtualService names, at top level and in its HTTP
 * matches, except `mesh` (the sidecars).
 *
 * @internal
 */
export function gatewayReferences(
  vs: ValidatedVirtualService,
): GatewayReference[] {
  const namespace = vs.metadata?.namespace ?? '';
  const located = [
    ...(vs.spec?.gateways ?? []).map((value, i) => ({
      value,
      path: `spec.gateways[${i}]`,
    })),
    ...(vs.spec?.http ?? []).flatMap((route, r) =>
      (route.match ?? []).flatMap((match, m) =>
        (match.gateways ?? []).map((value, i) => ({
          value,
          path: `spec.http[${r}].match[${m}].gateways[${i}]`,
        })),
      ),
    ),
  ];
  return located
    .filter(({ value }) => value !== 'mesh')
    .map(entry => ({ ...entry, ...resolveGateway(entry.value, namespace) }));
}
