import { InputError } from '@backstage/errors';
import { isDnsLabel, show } from '../query/kubernetesNames';
import { createValidationContext } from './ValidationContext';
import { VALIDATION_RULES } from './rules';
import {
  ValidateMeshConfigOptions,
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
  VALIDATION_RULES.map(({ code, severity, title, hint, kialiCheck }) => ({
    code,
    severity,
    title,
    hint,
    kialiCheck,
  }));

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 };

/** Locale-independent, so the order is the same on every machine. */
function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Validates the Istio configuration that concerns one service, as Kiali
 * does for the common cases: its VirtualServices' destinations, its
 * DestinationRules' subsets and TLS against the PeerAuthentication in
 * force, its Service's port names and the AuthorizationPolicies applying to
 * its workloads. Objects are attached to the service the way Istio applies
 * them (see {@link attachIstioObjects}). Findings are ordered by severity,
 * then object and path.
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
  const context = createValidationContext({
    service,
    snapshot: options.snapshot,
    rootNamespace: options.rootNamespace ?? 'istio-system',
    clusterDomain: options.clusterDomain ?? 'cluster.local',
    trustDomain: options.trustDomain ?? 'cluster.local',
  });
  const findings = VALIDATION_RULES.flatMap(rule =>
    rule.check(context).map(
      (finding): ValidationFinding => ({
        code: rule.code,
        severity: rule.severity,
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
