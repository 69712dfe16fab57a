import { InputError } from '@backstage/errors';
import { isIPv4, isIPv6 } from 'node:net';

/** Options of {@link validateEndpointUrl}. */
export interface ValidateEndpointUrlOptions {
  /** Config path of the URL, used in error messages. */
  configPath: string;
  /** What the URL is, e.g. `cluster API server URL`. */
  what: string;
  /** Whether credentials (a token, secret headers) will be sent to it. */
  sendsCredentials: boolean;
  /** The entry opted in to plain http. */
  allowInsecureHttp: boolean;
  /** The entry opted in to link-local and metadata addresses. */
  dangerouslyAllowLinkLocal: boolean;
  /** Config path where the opt-in flags go, e.g. `meshLifecycle.clusters[1]`. */
  optInPath: string;
}

/** Host names of cloud instance metadata services. */
const METADATA_HOSTS = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.com',
  'metadata.tencentyun.com',
]);

/** IPv4 addresses of cloud metadata services outside 169.254.0.0/16. */
const METADATA_IPV4 = new Set(['100.100.100.200']);

function parseIpv4(address: string): number[] | undefined {
  if (!isIPv4(address)) return undefined;
  return address.split('.').map(Number);
}

/** The eight 16-bit groups of an IPv6 address. */
function parseIpv6(address: string): number[] | undefined {
  if (!isIPv6(address)) return undefined;
  let text = address.split('%')[0].toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${(
      (c << 8) |
      d
    ).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [
    ...headGroups,
    ...(tail !== undefined ? Array<string>(missing).fill('0') : []),
    ...tailGroups,
  ].map(group => parseInt(group, 16));
  return groups.length === 8 ? groups : undefined;
}

/** The IPv4 address embedded in an IPv4-mapped or NAT64 IPv6 address. */
function embeddedIpv4(groups: number[]): number[] | undefined {
  const high = groups.slice(0, 6);
  const mapped =
    high.slice(0, 5).every(g => g === 0) &&
    (high[5] === 0xffff || high[5] === 0);
  const nat64 =
    groups[0] === 0x64 &&
    groups[1] === 0xff9b &&
    groups.slice(2, 6).every(g => g === 0);
  if (!mapped && !nat64) return undefined;
  return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff];
}

function ipv4Problem(octets: number[]): string | undefined {
  if (octets[0] === 169 && octets[1] === 254) {
    return 'a link-local address (169.254.0.0/16, where cloud metadata services live)';
  }
  if (METADATA_IPV4.has(octets.join('.'))) {
    return 'a cloud metadata address';
  }
  return undefined;
}

function bareHost(hostname: string): string {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Why a host name (as in `URL.hostname`) is a link-local or cloud metadata
 * address, or `undefined` when it is not. Literal addresses and well-known
 * metadata names only: names are not resolved.
 */
export function linkLocalProblem(hostname: string): string | undefined {
  const host = bareHost(hostname);
  if (METADATA_HOSTS.has(host)) {
    return 'a cloud metadata host name';
  }
  const v4 = parseIpv4(host);
  if (v4) return ipv4Problem(v4);
  const v6 = parseIpv6(host);
  if (v6) {
    if ((v6[0] & 0xffc0) === 0xfe80) {
      return 'a link-local address (fe80::/10)';
    }
    // AWS instance metadata over IPv6.
    if (v6.join(':') === [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254].join(':')) {
      return 'a cloud metadata address';
    }
    const embedded = embeddedIpv4(v6);
    if (embedded) return ipv4Problem(embedded);
  }
  return undefined;
}

/** Whether a host name (as in `URL.hostname`) is a loopback address or `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = bareHost(hostname);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const v4 = parseIpv4(host);
  if (v4) return v4[0] === 127;
  const v6 = parseIpv6(host);
  if (v6) {
    if (v6.slice(0, 7).every(g => g === 0) && v6[7] === 1) return true;
    const embedded = embeddedIpv4(v6);
    return embedded !== undefined && embedded[0] === 127 && v6[5] === 0xffff;
  }
  return false;
}

/**
 * Validates a configured endpoint URL the way Backstage's Kubernetes plugin
 * validates cluster API server URLs, adapted to operator-written config: it
 * must be http(s) without credentials, query or fragment; it must not point at
 * a link-local or cloud metadata address unless `dangerouslyAllowLinkLocal`;
 * and plain `http:` is refused unless `allowInsecureHttp`, except to a
 * loopback host without credentials. Error messages name the config path and
 * never contain the URL itself. Returns the URL without a trailing slash.
 */
export function validateEndpointUrl(
  value: string,
  options: ValidateEndpointUrlOptions,
): string {
  const at = `Invalid config at '${options.configPath}'`;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InputError(`${at}: the ${options.what} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(`${at}: the ${options.what} must use http or https`);
  }
  if (url.username || url.password) {
    throw new InputError(
      `${at}: the ${options.what} must not contain credentials; configure them in their own (secret) keys`,
    );
  }
  if (url.search || url.hash) {
    throw new InputError(
      `${at}: the ${options.what} must not contain a query or fragment`,
    );
  }
  const problem = linkLocalProblem(url.hostname);
  if (problem && !options.dangerouslyAllowLinkLocal) {
    throw new InputError(
      `${at}: the ${options.what} host '${url.hostname}' is ${problem}; set '${options.optInPath}.dangerouslyAllowLinkLocal: true' if this is intended`,
    );
  }
  if (url.protocol === 'http:' && !options.allowInsecureHttp) {
    if (options.sendsCredentials) {
      throw new InputError(
        `${at}: refusing to send credentials over plain http to the ${options.what}; use https, or set '${options.optInPath}.allowInsecureHttp: true' (development only)`,
      );
    }
    if (!isLoopbackHost(url.hostname)) {
      throw new InputError(
        `${at}: the ${options.what} uses plain http to a non-loopback host; use https, or set '${options.optInPath}.allowInsecureHttp: true' (development only)`,
      );
    }
  }
  return url.toString().replace(/\/+$/, '');
}
