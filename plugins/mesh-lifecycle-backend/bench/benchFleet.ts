/** The fleet the benchmark builds, and how its two processes talk. */

/** What the benchmark asks of the infra process. */
export type InfraRequest = { type: 'calls' } | { type: 'stop' };

/** What the infra process tells the benchmark. */
export type InfraMessage =
  | {
      type: 'ready';
      clusters: Array<{ name: string; url: string; token: string }>;
      prometheusUrl: string;
      series: number;
      setupMs: Record<string, number>;
    }
  | { type: 'calls'; calls: Record<string, number> }
  | { type: 'error'; message: string };

export const BENCH_CLUSTERS = ['dev', 'test', 'prod'];
/** 2,000 by default; `MESH_BENCH_SERVICES` for the cost-growth runs. */
export const BENCH_SERVICES = Number(process.env.MESH_BENCH_SERVICES ?? 2_000);
export const BENCH_NAMESPACES = 20;
