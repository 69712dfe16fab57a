import {
  isLoopbackHost,
  linkLocalProblem,
  validateEndpointUrl,
} from './validateEndpointUrl';

const options = {
  configPath: 'meshLifecycle.prometheus.url',
  what: 'Prometheus URL',
  sendsCredentials: false,
  allowInsecureHttp: false,
  dangerouslyAllowLinkLocal: false,
  optInPath: 'meshLifecycle.prometheus',
};

describe('linkLocalProblem', () => {
  it.each([
    '169.254.169.254',
    '169.254.0.1',
    '[fe80::1]',
    '[febf:ffff::1]',
    '[::ffff:a9fe:a9fe]',
    '[64:ff9b::a9fe:a9fe]',
    '[fd00:ec2::254]',
    'metadata.google.internal',
    'METADATA.GOOGLE.INTERNAL.',
    'metadata',
    'instance-data',
    '100.100.100.200',
  ])('flags %s', host => {
    expect(linkLocalProblem(host)).toBeDefined();
  });

  it.each([
    '10.0.0.1',
    '127.0.0.1',
    '169.253.1.1',
    '[fec0::1]',
    '[::1]',
    '[2001:db8::1]',
    'k8s.example.com',
    'metadata.example.com',
  ])('accepts %s', host => {
    expect(linkLocalProblem(host)).toBeUndefined();
  });
});

describe('isLoopbackHost', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '[::1]',
    'localhost',
    'api.localhost',
    '[::ffff:7f00:1]',
  ])('is true for %s', host => expect(isLoopbackHost(host)).toBe(true));
  it.each(['10.0.0.1', '[::2]', 'localhost.example.com', '[::7f00:1]'])(
    'is false for %s',
    host => expect(isLoopbackHost(host)).toBe(false),
  );
});

describe('validateEndpointUrl', () => {
  it('normalizes the URL', () => {
    expect(
      validateEndpointUrl(' https://Prom.Example.com:443/x/ ', options),
    ).toBe('https://prom.example.com/x');
  });

  it('allows loopback http without credentials only', () => {
    expect(validateEndpointUrl('http://[::1]:9090', options)).toBe(
      'http://[::1]:9090',
    );
    expect(() =>
      validateEndpointUrl('http://[::1]:9090', {
        ...options,
        sendsCredentials: true,
      }),
    ).toThrow(
      "Invalid config at 'meshLifecycle.prometheus.url': refusing to send credentials over plain http to the Prometheus URL; use https, or set 'meshLifecycle.prometheus.allowInsecureHttp: true' (development only)",
    );
  });

  it('does not echo an unparsable value', () => {
    expect(() => validateEndpointUrl('secret-ish:::value', options)).toThrow(
      "Invalid config at 'meshLifecycle.prometheus.url': the Prometheus URL must use http or https",
    );
    expect(() => validateEndpointUrl('%%%', options)).toThrow(
      "Invalid config at 'meshLifecycle.prometheus.url': the Prometheus URL is not a valid URL",
    );
  });
});
