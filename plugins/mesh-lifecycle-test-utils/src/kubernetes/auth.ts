import { forbidden, unauthorized } from './status';

/**
 * An RBAC-like rule granting verbs on resources.
 *
 * @public
 */
export interface AccessRule {
  /** Kubernetes verbs, or `*`. */
  verbs: string[];
  /** Resource plurals (`deployments`, `deployments/scale`), or `*`. */
  resources: string[];
  /** Namespaces the rule applies in; all (and cluster scope) when omitted. */
  namespaces?: string[];
  /** API groups (`''` for core), or `*`; all when omitted. */
  apiGroups?: string[];
}

/**
 * A bearer token's identity and permissions.
 *
 * @public
 */
export interface TokenIdentity {
  /** User name reported in 403 messages. */
  user: string;
  /** What the user may do; everything when omitted. */
  rules?: AccessRule[];
}

/** What a request wants to do, for authorization. */
export interface AccessRequest {
  verb: string;
  resource: string;
  subresource?: string;
  group: string;
  namespace?: string;
  name?: string;
}

function allows(rule: AccessRule, request: AccessRequest): boolean {
  const resource = request.subresource
    ? `${request.resource}/${request.subresource}`
    : request.resource;
  return (
    (rule.verbs.includes('*') || rule.verbs.includes(request.verb)) &&
    (rule.resources.includes('*') || rule.resources.includes(resource)) &&
    (!rule.apiGroups ||
      rule.apiGroups.includes('*') ||
      rule.apiGroups.includes(request.group)) &&
    (!rule.namespaces ||
      (request.namespace !== undefined &&
        rule.namespaces.includes(request.namespace)))
  );
}

/** Bearer-token authentication and rule-based authorization. */
export class Authorizer {
  constructor(
    private readonly tokens: Readonly<Record<string, TokenIdentity>>,
  ) {}

  /** Resolves the `Authorization` header; throws a 401 Status for a missing or unknown token. */
  authenticate(header: string | undefined): TokenIdentity {
    const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
    const identity = match ? this.tokens[match[1].trim()] : undefined;
    if (!identity) {
      throw unauthorized();
    }
    return identity;
  }

  /** Throws a 403 Status unless the identity may perform the request. */
  authorize(identity: TokenIdentity, request: AccessRequest): void {
    if (identity.rules && !identity.rules.some(rule => allows(rule, request))) {
      throw forbidden({ user: identity.user, ...request });
    }
  }
}
