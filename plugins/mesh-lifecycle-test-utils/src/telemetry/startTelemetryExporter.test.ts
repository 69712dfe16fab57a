import { bookinfoModel } from './bookinfoModel';
import { groundTruth } from './groundTruth';
import { MeshModel } from './MeshModel';
import { startTelemetryExporter } from './startTelemetryExporter';

function total(text: string, filter: string): number {
  return text
    .split('\n')
    .filter(line => line.startsWith('istio_requests_total{'))
    .filter(line => line.includes(filter))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('startTelemetryExporter', () => {
  const t0 = Date.parse('2026-01-01T10:00:00Z');

  it('serves counters growing with elapsed time', async () => {
    let now = t0;
    const model = bookinfoModel();
    const exporter = await startTelemetryExporter(model, { clock: () => now });
    try {
      const reviews = 'reporter="destination",source_workload="productpage-v1"';
      const first = await (await fetch(exporter.url)).text();
      expect(first).toContain('# TYPE istio_requests_total counter');
      expect(first).toContain(
        '# TYPE istio_request_duration_milliseconds histogram',
      );
      expect(total(first, reviews)).toBe(0);
      now = t0 + 90_000;
      const later = exporter.render();
      const truth = groundTruth(model, {
        destination: 'reviews',
        from: new Date(t0),
        to: new Date(now),
      });
      expect(total(later, reviews)).toBeCloseTo(
        truth.requestsPerSecond * 90,
        6,
      );
      const missing = await fetch(exporter.url.replace('/metrics', '/nope'));
      expect(missing.status).toBe(404);
    } finally {
      await exporter.stop();
    }
  });

  it('moves a canary without resetting counters', async () => {
    let now = t0;
    const model: MeshModel = { ...bookinfoModel(), jitter: 0 };
    const exporter = await startTelemetryExporter(model, { clock: () => now });
    try {
      const v2 = 'destination_workload="reviews-v2"';
      const v1 = 'destination_workload="reviews-v1"';
      now += 10_000;
      const before = exporter.render();
      expect(total(before, v2)).toBeCloseTo(2 * 40 * 0.1 * 10, 6);
      exporter.setModel({
        ...model,
        services: model.services.map(s =>
          s.name === 'reviews'
            ? {
                ...s,
                versions: s.versions.map(v => ({ ...v, weight: 50 })),
              }
            : s,
        ),
      });
      now += 10_000;
      const after = exporter.render();
      expect(total(after, v2)).toBeCloseTo(2 * 40 * (1 + 5), 6);
      expect(total(after, v1)).toBeCloseTo(2 * 40 * (9 + 5), 6);
    } finally {
      await exporter.stop();
    }
  });
});
