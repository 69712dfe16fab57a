import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ServiceDeclaration,
  isDnsLabel,
  isDnsSubdomain,
  isLabelValue,
  readServiceDeclaration,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/**
 * Checks of action inputs shared by the actions: each returns the value when
 * it is valid and throws an `InputError` naming the field otherwise.
 */

const DNS_1035_LABEL = /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** The largest value of an int32 field of the Kubernetes or Istio API. */
export const INT32_MAX = 2_147_483_647;

/** The largest value of a uint32 field of Envoy, e.g. `consecutive_5xx`. */
export const UINT32_MAX = 4_294_967_295;

/** A value as shown in an error message. */
export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Throws the `InputError` of a field that is not what it must be. */
export function fail(field: string, expected: string, value: unknown): never {
  throw new InputError(
    `Input ${field} must be ${expected}, got ${show(value)}`,
  );
}

/** An RFC 1035 label: a Service or Deployment name. */
export function dns1035(field: string, value: unknown): string {
  if (
    typeof value !== 'string' ||
    value.length > 63 ||
    !DNS_1035_LABEL.test(value)
  ) {
    fail(
      field,
      'a DNS label of at most 63 lowercase alphanumerics or "-", starting with a letter and ending with an alphanumeric (RFC 1035)',
      value,
    );
  }
  return value;
}

/** An RFC 1123 label: a namespace or cluster name. */
export function dnsLabel(field: string, value: unknown): string {
  if (!isDnsLabel(value)) {
    fail(
      field,
      'a DNS label of at most 63 lowercase alphanumerics or "-", starting and ending with an alphanumeric (RFC 1123)',
      value,
    );
  }
  return value;
}

/** An RFC 1123 subdomain: a service account or object name. */
export function dnsSubdomain(field: string, value: unknown): string {
  if (!isDnsSubdomain(value)) {
    fail(
      field,
      'a DNS subdomain of at most 253 lowercase alphanumerics, "-" or "." (RFC 1123)',
      value,
    );
  }
  return value;
}

/** A Kubernetes label value. */
export function labelValue(field: string, value: unknown): string {
  if (!isLabelValue(value) || value === '') {
    fail(
      field,
      'a label value of at most 63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric',
      value,
    );
  }
  return value;
}

/** An integer within bounds. */
export function integer(
  field: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    value > max
  ) {
    fail(field, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** A number greater than zero. */
export function positive(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(field, 'a number greater than zero', value);
  }
  return value;
}

/** A port number, 1 to 65535. */
export function port(field: string, value: unknown): number {
  return integer(field, value, 1, 65535);
}

/** A Kubernetes quantity, kept as written. */
export function quantity(field: string, value: unknown): string {
  if (typeof value !== 'string' || !QUANTITY.test(value)) {
    fail(field, 'a Kubernetes quantity such as 100m, 0.5 or 128Mi', value);
  }
  return value;
}

const QUANTITY_FACTORS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

function amountOf(value: unknown): number | undefined {
  const match = typeof value === 'string' ? QUANTITY.exec(value) : null;
  return match
    ? Number(match[1]) * QUANTITY_FACTORS[match[2] ?? '']
    : undefined;
}

/**
 * A Kubernetes quantity (`500m`, `1`, `128Mi`) as a number, to compare
 * quantities written with different suffixes.
 */
export function quantityValue(field: string, value: unknown): number {
  const amount = amountOf(value);
  if (amount === undefined) {
    fail(field, 'a Kubernetes quantity such as 100m, 0.5 or 128Mi', value);
  }
  return amount;
}

/** A positive Kubernetes quantity (`500m`, `4`, `8Gi`) as a number. */
export function quantityAmount(field: string, value: unknown): number {
  const amount = amountOf(value) ?? 0;
  if (!(amount > 0)) {
    fail(
      field,
      'a positive Kubernetes quantity such as 500m, 4, 0.5 or 8Gi',
      value,
    );
  }
  return amount;
}

/**
 * Checks that a limit is at least its request, as the API server does:
 * `500m` against `1`, `128Mi` against `1Gi`.
 */
export function limitAtLeastRequest(
  limitField: string,
  limit: string,
  requestField: string,
  request: string,
): void {
  if (quantityValue(limitField, limit) < quantityValue(requestField, request)) {
    fail(limitField, `at least ${requestField} (${request})`, limit);
  }
}

// An absolute path; no whitespace or control characters, which the kubelet
// would send as they are in the request line.
const HTTP_PATH = /^\/[^\s\p{Cc}]*$/u;

/** An absolute HTTP path without whitespace, e.g. `/health`. */
export function httpPath(field: string, value: unknown): string {
  if (typeof value !== 'string' || !HTTP_PATH.test(value)) {
    fail(
      field,
      'an absolute HTTP path without whitespace, such as /health',
      value,
    );
  }
  return value;
}

// The Docker reference grammar (github.com/distribution/reference):
// [domain[:port]/]path-component(/path-component)*[:tag][@digest].
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
// The digests registries accept: the hex length is the algorithm's.
const DIGEST = 'sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}';
const IMAGE_REFERENCE = new RegExp(
  `^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::${TAG})?(?:@(?:${DIGEST}))?$`,
);
const IMAGE_NAME_MAX = 255;

/**
 * A container image reference: `[registry[:port]/]path[:tag][@digest]`, the
 * repository in lowercase and at most 255 characters, as the kubelet parses
 * it.
 */
export function imageReference(field: string, value: unknown): string {
  if (typeof value !== 'string' || !isImageReference(value)) {
    fail(
      field,
      'an image reference [registry[:port]/]repository[:tag][@sha256:digest] with a lowercase repository of at most 255 characters, such as registry.example.com/shop/orders:1.0.0',
      value,
    );
  }
  return value;
}

function isImageReference(value: string): boolean {
  // Bounded before the pattern runs: a tag and a digest fit in far less.
  const match = value.length <= 1024 ? IMAGE_REFERENCE.exec(value) : null;
  return match !== null && match[1].length <= IMAGE_NAME_MAX;
}

const ISTIO_DURATION = /^([0-9]{1,12})(?:\.([0-9]{1,9}))?(ms|s|m|h)$/;
const DURATION_UNIT_MS: Record<string, bigint> = {
  ms: 1n,
  s: 1_000n,
  m: 60_000n,
  h: 3_600_000n,
};

/**
 * The largest Istio duration accepted: a day. Istio takes up to about 292
 * years; a longer timeout, interval or ejection is a slip of the unit.
 */
export const ISTIO_DURATION_MAX_MS = 24 * 3_600_000;

/**
 * An Istio duration (`30ms`, `2s`, `1.5m`, `1h`): as istiod validates it, at
 * least 1ms and to the millisecond; at most {@link ISTIO_DURATION_MAX_MS}.
 */
export function istioDuration(field: string, value: unknown): string {
  if (typeof value !== 'string' || !isIstioDuration(value)) {
    fail(
      field,
      'a duration from 1ms to 24h, to the millisecond, such as 30ms, 2s, 1.5m or 1h',
      value,
    );
  }
  return value;
}

function isIstioDuration(value: string): boolean {
  const match = ISTIO_DURATION.exec(value);
  if (!match) return false;
  const [, whole, fraction = '', unit] = match;
  const scale = 10n ** BigInt(fraction.length);
  // The duration in 1/scale milliseconds: exact, no floating point.
  const scaled =
    (BigInt(whole) * scale + BigInt(fraction || '0')) * DURATION_UNIT_MS[unit];
  return (
    scaled % scale === 0n &&
    scaled >= scale &&
    scaled <= BigInt(ISTIO_DURATION_MAX_MS) * scale
  );
}

/** A template's optional text field: left empty, it comes as `''`. */
export function givenText(value: string | undefined): string | undefined {
  return value?.trim() ? value.trim() : undefined;
}

/** An entity ref, kind `component` and namespace `default` when left out. */
export function entityRefInput(field: string, value: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(value, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    );
  } catch {
    throw new InputError(
      `Input ${field} must be an entity ref such as component:default/checkout-service, got ${show(
        value,
      )}`,
    );
  }
}

/**
 * The entity as the user who runs the template may see it; an `InputError`
 * when it is not in the catalog or hidden from them.
 */
export async function readEntityInput(
  catalog: CatalogService,
  field: string,
  entityRef: string,
  credentials: BackstageCredentials,
): Promise<Entity> {
  const entity = await catalog.getEntityByRef(entityRef, { credentials });
  if (!entity) {
    throw new InputError(
      `Input ${field}: ${entityRef} is not in the catalog, or you may not see it`,
    );
  }
  return entity;
}

/**
 * The service an action's `entity` input names, as the user who runs the
 * template may see it: its ref, its entity and its mesh declaration.
 */
export async function readServiceInput(
  catalog: CatalogService,
  value: string,
  credentials: BackstageCredentials,
): Promise<{
  entityRef: string;
  entity: Entity;
  declaration: ServiceDeclaration;
}> {
  const entityRef = entityRefInput('entity', value);
  const entity = await readEntityInput(
    catalog,
    'entity',
    entityRef,
    credentials,
  );
  return { entityRef, entity, declaration: readServiceDeclaration(entity) };
}
