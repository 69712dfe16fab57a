'use strict';

const assert = require('node:assert/strict');
const { after, before, describe, it } = require('node:test');
const { start, createMetrics, portFromEnv } = require('../src/server');

describe('the service', () => {
  let server;
  const url = (port, path) => `http://127.0.0.1:${port}${path}`;

  before(async () => {
    server = await start({
      port: 0,
      metricsPort: 0,
      serviceName: 'test-service',
    });
  });

  after(async () => {
    await server.close();
  });

  it('is healthy', async () => {
    const response = await fetch(url(server.port, '/health'));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  it('answers on /api/hello with its name', async () => {
    const response = await fetch(url(server.port, '/api/hello'));
    assert.equal(response.status, 200);
    assert.equal((await response.json()).service, 'test-service');
  });

  it('answers 404 to unknown paths and 405 to writes', async () => {
    assert.equal((await fetch(url(server.port, '/nope'))).status, 404);
    const post = await fetch(url(server.port, '/health'), { method: 'POST' });
    assert.equal(post.status, 405);
  });

  it('counts requests in the Prometheus text format on the metrics port', async () => {
    await fetch(url(server.port, '/api/hello'));
    const response = await fetch(url(server.metricsPort, '/metrics'));
    assert.equal(response.status, 200);
    assert.match(
      response.headers.get('content-type'),
      /^text\/plain; version=0\.0\.4/,
    );
    const text = await response.text();
    const hello =
      /^http_requests_total\{method="GET",route="\/api\/hello",code="200"\} (\d+)$/m.exec(
        text,
      );
    assert.ok(hello, text);
    assert.ok(Number(hello[1]) >= 2);
    assert.match(
      text,
      /^http_requests_total\{method="GET",route="other",code="404"\} 1$/m,
    );
    assert.match(
      text,
      /^http_request_duration_seconds_bucket\{method="GET",route="\/health",code="200",le="\+Inf"\} 1$/m,
    );
    assert.equal((await fetch(url(server.metricsPort, '/health'))).status, 200);
    assert.equal((await fetch(url(server.metricsPort, '/other'))).status, 404);
  });
});

describe('createMetrics', () => {
  it('fills the histogram buckets at and above the observed duration', () => {
    const metrics = createMetrics();
    metrics.observe('GET', '/x', 200, 0.3);
    const text = metrics.render();
    assert.match(text, /le="0\.25"\} 0$/m);
    assert.match(text, /le="0\.5"\} 1$/m);
    assert.match(text, /_sum\{method="GET",route="\/x",code="200"\} 0\.3$/m);
  });

  it('escapes label values', () => {
    const metrics = createMetrics();
    metrics.observe('GET', 'a"b\\c', 200, 0.001);
    assert.match(metrics.render(), /route="a\\"b\\\\c"/);
  });
});

describe('portFromEnv', () => {
  it('reads a port, falls back when unset and rejects anything else', () => {
    process.env.TEST_PORT = '8081';
    assert.equal(portFromEnv('TEST_PORT', 1), 8081);
    delete process.env.TEST_PORT;
    assert.equal(portFromEnv('TEST_PORT', 1), 1);
    process.env.TEST_PORT = 'eighty';
    assert.throws(
      () => portFromEnv('TEST_PORT', 1),
      /TEST_PORT must be a port number/,
    );
    delete process.env.TEST_PORT;
  });
});
