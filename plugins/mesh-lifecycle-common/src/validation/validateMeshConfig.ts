import { InputError } from '@backstage/errors';
import { isDnsLabel, show } from '../query/kubernetesNames';
import {
  ContextOptions,
  ValidationContext,
  createNamespaceValidationContext,
  createServiceValidationContext,
} from './ValidationContext';
import { VALIDATION_RULES } from './rules';
import {
  MeshValidationSettings,
  ValidateMeshConfigOptions,
  ValidateMeshNamespaceOptions,
  ValidationFinding,
  ValidationRuleDescription,
} from './types';

/**
 * The checks of {@link validateMeshConfig}, as data: code, severity, title,
 * general hint and the Kiali check each follows.
 *
 * @public
 */
export const meshValidationRules: ReadonlyArray<ValidationRuleDescription> =
  VALIDATION_RULES.map(
    ({ code, severity, title, hint, kialiCheck, otherSeverities }) => ({
      code,
      severity,
      title,
      hint,
      kialiCheck,
      ...(otherSeverities ? { otherSeverities } : {}),
    }),
  );

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 };

/** Locale-independent, so the order is the same on every machine. */
function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function resolve(options: MeshValidationSettings): ContextOptions {
  return {
    snapshot: options.snapshot,
    rootNamespace: options.rootNamespace ?? 'istio-system',
    clusterDomain: options.clusterDomain ?? 'cluster.local',
    trustDomain: options.trustDomain ?? 'cluster.local',
    autoMtls: options.autoMtls ?? true,
    allowAny: options.outboundTrafficPolicyMode === 'ALLOW_ANY',
    scopeGatewayToNamespace: options.scopeGatewayToNamespace ?? false,
  };
}

/** Runs every rule; findings ordered by severity, then object and path. */
function run(context: ValidationContext): ValidationFinding[] {
  const findings = VALIDATION_RULES.flatMap(rule =>
    rule.check(context).map(
      (finding): ValidationFinding => ({
        code: rule.code,
        severity: finding.severity ?? rule.severity,
        message: `${rule.title}: ${finding.message}`,
        hint: finding.hint,
        object: finding.object,
        path: finding.path,
      }),
    ),
  );
  const key = (f: ValidationFinding) =>
    [f.object.kind, f.object.namespace, f.object.name, f.path, f.code].join(
      '\u0000',
    );
  return findings.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      compare(key(a), key(b)),
  );
}

/**
 * Validates the Istio configuration that concerns one service, as Kiali
 * does: its VirtualServices' destinations and gateways, its
 * DestinationRules' hosts, subsets and TLS against the PeerAuthentications
 * in force, its Service's port names, the AuthorizationPolicies applying to
 * its workloads, the Gateways its VirtualServices bind to and the
 * namespace-wide and mesh-wide mTLS policies that apply to it. Objects are
 * attached to the service the way Istio applies them (see
 * {@link attachIstioObjects}). Findings are ordered by severity, then
 * object and path.
 *
 * @public
 */
export function validateMeshConfig(
  options: ValidateMeshConfigOptions,
): ValidationFinding[] {
  const { service } = options;
  if (!isDnsLabel(service?.name)) {
    throw new InputError(
      `service.name must be a Kubernetes service name, got ${show(
        service?.name,
      )}`,
    );
  }
  if (!isDnsLabel(service.namespace)) {
    throw new InputError(
      `service.namespace must be a Kubernetes namespace name, got ${show(
        service.namespace,
      )}`,
    );
  }
  return run(createServiceValidationContext({ ...resolve(options), service }));
}

/**
 * Validates every Istio object, Service and workload of a namespace (of the
 * whole snapshot when no namespace is given), whether or not a catalog
 * service claims it: the view Kiali gives of a namespace. Each object is
 * judged against the whole snapshot (a VirtualService of another namespace
 * for the same host counts), but only the objects of the namespace are
 * reported. Findings are ordered as by {@link validateMeshConfig}.
 *
 * @public
 */
export function validateMeshNamespace(
  options: ValidateMeshNamespaceOptions,
): ValidationFinding[] {
  const { namespace } = options;
  if (namespace !== undefined && !isDnsLabel(namespace)) {
    throw new InputError(
      `namespace must be a Kubernetes namespace name, got ${show(namespace)}`,
    );
  }
  return run(
    createNamespaceValidationContext({ ...resolve(options), namespace }),
  );
}
