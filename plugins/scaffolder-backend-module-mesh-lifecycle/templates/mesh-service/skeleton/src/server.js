'use strict';

// A minimal service without dependencies: the application port serves
// /health (the readiness and liveness probes) and /api/*, the metrics port
// serves /metrics in the Prometheus text format (scraped by the
// ServiceMonitor in manifests/). Configured by the environment:
// PORT (default 8080), METRICS_PORT (default 9090), SERVICE_NAME.

const http = require('node:http');

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Request counters and latency histograms, by method, route and status code. */
function createMetrics() {
  const series = new Map();
  const startedAt = Date.now();

  function observe(method, route, code, seconds) {
    const key = JSON.stringify([method, route, String(code)]);
    let s = series.get(key);
    if (!s) {
      s = { count: 0, sum: 0, buckets: DURATION_BUCKETS.map(() => 0) };
      series.set(key, s);
    }
    s.count += 1;
    s.sum += seconds;
    DURATION_BUCKETS.forEach((le, i) => {
      if (seconds <= le) s.buckets[i] += 1;
    });
  }

  function escape(value) {
    return value
      .replace(/\\/g, '\\\\')
      .replace(/\n/g, '\\n')
      .replace(/"/g, '\\"');
  }

  function render() {
    const lines = [
      '# HELP http_requests_total HTTP requests served.',
      '# TYPE http_requests_total counter',
    ];
    const histogram = [
      '# HELP http_request_duration_seconds Time to serve an HTTP request.',
      '# TYPE http_request_duration_seconds histogram',
    ];
    for (const [key, s] of series) {
      const [method, route, code] = JSON.parse(key);
      const labels = `method="${escape(method)}",route="${escape(
        route,
      )}",code="${code}"`;
      lines.push(`http_requests_total{${labels}} ${s.count}`);
      DURATION_BUCKETS.forEach((le, i) => {
        histogram.push(
          `http_request_duration_seconds_bucket{${labels},le="${le}"} ${s.buckets[i]}`,
        );
      });
      histogram.push(
        `http_request_duration_seconds_bucket{${labels},le="+Inf"} ${s.count}`,
      );
      histogram.push(`http_request_duration_seconds_sum{${labels}} ${s.sum}`);
      histogram.push(
        `http_request_duration_seconds_count{${labels}} ${s.count}`,
      );
    }
    return [
      ...lines,
      ...histogram,
      '# HELP process_uptime_seconds Seconds since the process started.',
      '# TYPE process_uptime_seconds gauge',
      `process_uptime_seconds ${(Date.now() - startedAt) / 1000}`,
      '# HELP nodejs_heap_used_bytes V8 heap in use.',
      '# TYPE nodejs_heap_used_bytes gauge',
      `nodejs_heap_used_bytes ${process.memoryUsage().heapUsed}`,
      '',
    ].join('\n');
  }

  return { observe, render };
}

function send(res, status, contentType, body) {
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
}

function sendJson(res, status, body) {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

/** The request handler of the application port. */
function createApp({ serviceName, metrics }) {
  return (req, res) => {
    const started = process.hrtime.bigint();
    const { pathname } = new URL(req.url, 'http://localhost');
    // Known routes only, so the metrics' cardinality stays bounded.
    let route = 'other';
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observe(req.method, route, res.statusCode, seconds);
    });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      route = pathname === '/health' ? '/health' : route;
      sendJson(res, 405, { error: 'method not allowed' });
      return;
    }
    if (pathname === '/health') {
      route = '/health';
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (pathname === '/api/hello') {
      route = '/api/hello';
      sendJson(res, 200, { service: serviceName, message: 'hello' });
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  };
}

/** The request handler of the metrics port. */
function createMetricsApp({ metrics }) {
  return (req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    if (pathname === '/metrics') {
      send(
        res,
        200,
        'text/plain; version=0.0.4; charset=utf-8',
        metrics.render(),
      );
    } else if (pathname === '/health') {
      sendJson(res, 200, { status: 'ok' });
    } else {
      sendJson(res, 404, { error: 'not found' });
    }
  };
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve(server.address().port));
  });
}

/**
 * Starts the application and metrics servers; port 0 picks a free port.
 * Resolves to the ports and a function that closes both servers.
 */
async function start({
  port = 8080,
  metricsPort = 9090,
  serviceName = 'service',
} = {}) {
  const metrics = createMetrics();
  const app = http.createServer(createApp({ serviceName, metrics }));
  const metricsServer = http.createServer(createMetricsApp({ metrics }));
  const appPort = await listen(app, port);
  const boundMetricsPort = await listen(metricsServer, metricsPort);
  // Stops accepting connections, lets requests in flight finish and closes
  // idle keep-alive connections, so a rollout does not wait for them.
  const close = () =>
    Promise.all(
      [app, metricsServer].map(
        s =>
          new Promise(resolve => {
            s.close(() => resolve());
            s.closeIdleConnections();
          }),
      ),
    );
  return { port: appPort, metricsPort: boundMetricsPort, close };
}

function portFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(
      `${name} must be a port number, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

if (require.main === module) {
  start({
    port: portFromEnv('PORT', 8080),
    metricsPort: portFromEnv('METRICS_PORT', 9090),
    serviceName: process.env.SERVICE_NAME || 'service',
  }).then(
    ({ port, metricsPort, close }) => {
      const stop = () => {
        close().then(() => process.exit(0));
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      console.log(
        JSON.stringify({
          level: 'info',
          message: 'listening',
          port,
          metricsPort,
        }),
      );
    },
    error => {
      console.error(JSON.stringify({ level: 'error', message: String(error) }));
      process.exit(1);
    },
  );
}

module.exports = {
  start,
  createApp,
  createMetrics,
  createMetricsApp,
  portFromEnv,
};
