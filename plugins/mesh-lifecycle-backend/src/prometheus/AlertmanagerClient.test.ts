import { AddressInfo } from 'net';
import { Server, createServer } from 'http';
import {
  AlertmanagerClient,
  AlertmanagerError,
  silenceMatcherMatches,
  silenceMatches,
} from './AlertmanagerClient';

/** A silence as Alertmanager's `GET /api/v2/silences` answers it. */
const silence = {
  id: '1b5d9e46-1b4d-4a33-9f5e-2b1b7c6c2b1a',
  status: { state: 'active' },
  updatedAt: '2026-01-01T10:00:00.000Z',
  comment: 'deploying the fix',
  createdBy: 'alice',
  startsAt: '2026-01-01T10:00:00.000Z',
  endsAt: '2026-01-01T12:00:00.000Z',
  matchers: [
    {
      name: 'alertname',
      value: 'HighErrorRate',
      isRegex: false,
      isEqual: true,
    },
    { name: 'service', value: 'payment-.*', isRegex: true, isEqual: true },
  ],
};

describe('AlertmanagerClient', () => {
  let server: Server;
  let url: string;
  let requests: Array<{
    url?: string;
    authorization?: string;
    tenant?: string;
  }>;
  let respond: () => { status: number; body: string } | undefined;

  beforeEach(async () => {
    requests = [];
    respond = () => ({ status: 200, body: JSON.stringify([silence]) });
    server = createServer((req, res) => {
      requests.push({
        url: req.url,
        authorization: req.headers.authorization,
        tenant: req.headers['x-scope-orgid'] as string | undefined,
      });
      const answer = respond();
      if (!answer) return; // never answer
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/am`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  });

  it('lists the silences, sending the configured credentials', async () => {
    const client = new AlertmanagerClient({
      source: {
        name: 'am',
        url,
        headers: { 'X-Scope-OrgID': 'team-a' },
        bearerToken: 's3cret',
        timeoutMs: 1_000,
      },
    });
    const [answer, ...rest] = await client.silences();
    expect(rest).toEqual([]);
    expect(answer).toMatchObject({
      id: silence.id,
      status: { state: 'active' },
      createdBy: 'alice',
      matchers: silence.matchers,
    });
    expect(requests).toEqual([
      {
        url: '/am/api/v2/silences',
        authorization: 'Bearer s3cret',
        tenant: 'team-a',
      },
    ]);
  });

  it('takes matchers without isEqual, as older Alertmanagers send them, as equality', async () => {
    respond = () => ({
      status: 200,
      body: JSON.stringify([
        { ...silence, matchers: [{ name: 'a', value: 'b', isRegex: false }] },
      ]),
    });
    const client = new AlertmanagerClient({
      source: { name: 'am', url, timeoutMs: 1_000 },
    });
    const [answer] = await client.silences();
    expect(answer.matchers).toEqual([
      { name: 'a', value: 'b', isRegex: false, isEqual: true },
    ]);
  });

  it('reports an HTTP error, an unparsable answer and a timeout without credentials', async () => {
    const client = new AlertmanagerClient({
      source: { name: 'am', url, bearerToken: 's3cret', timeoutMs: 300 },
    });
    respond = () => ({ status: 500, body: '{"message":"boom"}' });
    const failed = await client.silences().catch(e => e);
    expect(failed).toBeInstanceOf(AlertmanagerError);
    expect(failed.message).toBe(
      'Alertmanager am: HTTP 500 from /am/api/v2/silences',
    );

    respond = () => ({
      status: 200,
      body: JSON.stringify([{ ...silence, matchers: [{ name: 'a' }] }]),
    });
    const malformed = await client.silences().catch(e => e);
    expect(malformed.message).toMatch(
      /^Alertmanager am: unexpected answer to \/am\/api\/v2\/silences: 0\.matchers\.0\.value /,
    );

    respond = () => undefined;
    await expect(client.silences()).rejects.toThrow(
      new AlertmanagerError('am', 'no answer within 300 ms'),
    );
    for (const error of [failed, malformed]) {
      expect(error.message).not.toContain('s3cret');
    }
  });

  it('reports an unreachable Alertmanager', async () => {
    const client = new AlertmanagerClient({
      source: { name: 'gone', url: 'http://127.0.0.1:1', timeoutMs: 1_000 },
    });
    await expect(client.silences()).rejects.toThrow(
      /^Alertmanager gone: unreachable/,
    );
  });
});

describe('silence matchers', () => {
  const labels = { alertname: 'HighErrorRate', service: 'payment-service' };
  const matcher = (
    name: string,
    value: string,
    isRegex: boolean,
    isEqual: boolean,
  ) => silenceMatcherMatches({ name, value, isRegex, isEqual }, labels);

  it('compares whole values for = and !=', () => {
    expect(matcher('service', 'payment-service', false, true)).toBe(true);
    expect(matcher('service', 'payment', false, true)).toBe(false);
    expect(matcher('service', 'payment', false, false)).toBe(true);
    expect(matcher('service', 'payment-service', false, false)).toBe(false);
  });

  it('anchors regular expressions at both ends for =~ and !~', () => {
    expect(matcher('service', 'payment', true, true)).toBe(false);
    expect(matcher('service', 'pay.*', true, true)).toBe(true);
    expect(matcher('service', 'cart|payment-service', true, true)).toBe(true);
    expect(matcher('service', 'cart|payment', true, true)).toBe(false);
    expect(matcher('service', 'pay.*', true, false)).toBe(false);
    expect(matcher('service', 'cart.*', true, false)).toBe(true);
    expect(matcher('service', '(?i)PAYMENT-SERVICE', true, true)).toBe(true);
  });

  it('takes a missing label as the empty string', () => {
    expect(matcher('team', '', false, true)).toBe(true);
    expect(matcher('team', 'a', false, false)).toBe(true);
    expect(matcher('team', '.*', true, true)).toBe(true);
    expect(matcher('team', '.+', true, true)).toBe(false);
  });

  it('matches nothing with a regular expression it cannot compile', () => {
    expect(matcher('service', '(', true, true)).toBe(false);
  });

  it('needs every matcher of a silence to match', () => {
    expect(silenceMatches({ matchers: silence.matchers }, labels)).toBe(true);
    expect(
      silenceMatches(
        { matchers: silence.matchers },
        { ...labels, alertname: 'HighServiceLatency' },
      ),
    ).toBe(false);
  });
});
