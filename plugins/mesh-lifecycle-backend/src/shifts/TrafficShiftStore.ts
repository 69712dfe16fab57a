import { DatabaseService } from '@backstage/backend-plugin-api';
import { TrafficShiftRecord } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { z } from 'zod';
import { DatabaseClient, migratedClient } from '../history/migrations';
import { parseOrInputError, readLimit } from '../history/storeInput';
import { normalizeEntityRef } from '../history/LifecycleHistoryStore';

const TABLE = 'traffic_shifts';
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

const name = z.string().min(1).max(253);
const destination = z.object({ host: name, subset: name.optional() }).strict();
const weighted = destination
  .extend({ weight: z.number().int().min(0).max(100) })
  .strict();
const figure = z.number().finite().min(0).nullable();
const isoTime = z.iso.datetime({ offset: true });

/** What a record must hold; the same shape the action sends. */
export const trafficShiftRecordSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[A-Za-z0-9][-_.:A-Za-z0-9]*$/),
    entityRef: z.string().min(1),
    cluster: name,
    namespace: name,
    virtualService: name,
    route: name.optional(),
    kind: z.enum(['weights', 'canary', 'switch', 'migrate']),
    initiatedBy: z.string().min(1).optional(),
    forcedBecause: z.string().min(1).max(1000).optional(),
    from: z.array(weighted).min(1),
    to: z.array(weighted).min(1),
    pauseSeconds: z.number().int().min(0),
    thresholds: z
      .object({
        max5xxPercent: z.number().min(0).max(100),
        maxP95LatencyMs: z.number().positive(),
        minRequests: z.number().int().min(0),
        onInconclusive: z.enum(['fail', 'continue']),
      })
      .strict(),
    steps: z.array(
      z
        .object({
          index: z.number().int().min(1),
          weights: z.array(weighted).min(1),
          analysed: destination,
          verdict: z.enum(['pass', 'fail', 'inconclusive']),
          reasons: z.array(z.string()),
          figures: z
            .object({
              requests: figure,
              ratio5xx: figure.refine(v => v === null || v <= 1),
              p95LatencyMs: figure,
            })
            .strict(),
        })
        .strict(),
    ),
    outcome: z.enum(['running', 'completed', 'rolled-back', 'failed']),
    message: z.string().max(10_000).optional(),
    startedAt: isoTime,
    finishedAt: isoTime.optional(),
  })
  .strict();

/** Parses a record sent to the backend; an `InputError` naming the field otherwise. */
export function parseTrafficShiftRecord(value: unknown): TrafficShiftRecord {
  return parseOrInputError(
    trafficShiftRecordSchema,
    value,
    'traffic shift record',
  );
}

/**
 * The traffic shifts of the services, in the plugin's database (SQLite or
 * PostgreSQL, through knex): one row per shift, replaced as it goes on.
 */
export class TrafficShiftStore {
  private readonly client: DatabaseClient;

  /** Connects and migrates, unless the database service says to skip migrations. */
  static async create(options: {
    database: DatabaseService;
  }): Promise<TrafficShiftStore> {
    return new TrafficShiftStore(await migratedClient(options.database));
  }

  constructor(client: DatabaseClient) {
    this.client = client;
  }

  /** Records a shift, or replaces the record with its id. */
  async record(record: TrafficShiftRecord): Promise<void> {
    const checked = parseTrafficShiftRecord(record);
    const row = {
      id: checked.id,
      entity_ref: normalizeEntityRef(checked.entityRef),
      started_at: new Date(checked.startedAt),
      outcome: checked.outcome,
      record: JSON.stringify(checked),
    };
    await this.client(TABLE).insert(row).onConflict('id').merge();
  }

  /** A service's shifts, newest first. */
  async shifts(
    entityRef: string,
    options: { limit?: number } = {},
  ): Promise<TrafficShiftRecord[]> {
    const limit = readLimit(options.limit, {
      default: DEFAULT_LIMIT,
      max: MAX_LIMIT,
    });
    const rows: Array<{ record: string }> = await this.client(TABLE)
      .where({ entity_ref: normalizeEntityRef(entityRef) })
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit)
      .select('record');
    return rows.map(row => parseTrafficShiftRecord(JSON.parse(row.record)));
  }
}
