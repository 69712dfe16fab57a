import { DatabaseService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  HealthVerdict,
  LIFECYCLE_PHASES,
  LifecycleGateOutcome,
  LifecycleRecord,
  LifecycleSnapshot,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { z } from 'zod';
import { DatabaseClient, migratedClient } from './migrations';
import { parseOrInputError, readLimit } from './storeInput';

/**
 * Options of {@link LifecycleHistoryStore.history}.
 */
export interface LifecycleHistoryQuery {
  /** At most this many records, newest first (default 100, at most 1000). */
  limit?: number;
}

/**
 * The lifecycle history of the services: a record each time a service's
 * phase, inferred phase, health or a gate's status changed.
 */
export interface LifecycleHistoryStore {
  /**
   * Records the snapshot unless it equals the service's latest record;
   * tells whether it recorded.
   */
  record(snapshot: LifecycleSnapshot): Promise<boolean>;
  /** A service's records, newest first. */
  history(
    entityRef: string,
    query?: LifecycleHistoryQuery,
  ): Promise<LifecycleRecord[]>;
  /** The latest record of every service, by entity ref. */
  latestForAll(): Promise<LifecycleRecord[]>;
  /** Deletes the history of these services; returns how many records went. */
  forget(entityRefs: readonly string[]): Promise<number>;
}

const TABLE = 'lifecycle_history';
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
/** Stays below SQLite's limit of bound parameters per statement. */
const DELETE_CHUNK = 500;

const HEALTH_VERDICTS: Record<HealthVerdict, true> = {
  healthy: true,
  degraded: true,
  failing: true,
  'not-ready': true,
  idle: true,
  unknown: true,
};

const phaseSchema = z.enum(LIFECYCLE_PHASES);
const healthSchema = z.enum(
  Object.keys(HEALTH_VERDICTS) as [HealthVerdict, ...HealthVerdict[]],
);
const gatesSchema = z.array(
  z.object({
    id: z.string().min(1),
    status: z.enum(['pass', 'fail', 'unknown']),
  }),
);

const snapshotSchema = z.object({
  entityRef: z.string(),
  phase: phaseSchema,
  inferred: phaseSchema,
  health: healthSchema,
  gates: gatesSchema,
});

/** A row as PostgreSQL (Date, bigint as string) or SQLite (numbers) return it. */
const rowSchema = z.object({
  entity_ref: z.string(),
  phase: phaseSchema,
  inferred: phaseSchema,
  health: healthSchema,
  gates: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'gates is not JSON' });
        return z.NEVER;
      }
    })
    .pipe(gatesSchema),
  recorded_at: z
    .union([z.date(), z.number(), z.string()])
    .transform(value => new Date(value))
    .refine(date => !Number.isNaN(date.getTime()), 'not a timestamp')
    .transform(date => date.toISOString()),
});

function toRecord(row: unknown): LifecycleRecord {
  const parsed = rowSchema.parse(row);
  return {
    entityRef: parsed.entity_ref,
    phase: parsed.phase,
    inferred: parsed.inferred,
    health: parsed.health,
    gates: parsed.gates,
    recordedAt: parsed.recorded_at,
  };
}

/**
 * The canonical, lower-case form of an entity ref, as the catalog compares
 * them.
 */
export function normalizeEntityRef(
  entityRef: string,
  field = 'entityRef',
): string {
  try {
    return stringifyEntityRef(parseEntityRef(entityRef)).toLocaleLowerCase(
      'en-US',
    );
  } catch (error) {
    throw new InputError(
      `Invalid ${field} '${entityRef}': ${(error as Error).message}`,
    );
  }
}

function sameGates(
  a: readonly LifecycleGateOutcome[],
  b: readonly LifecycleGateOutcome[],
): boolean {
  if (a.length !== b.length) return false;
  const statuses = new Map(a.map(gate => [gate.id, gate.status]));
  return b.every(gate => statuses.get(gate.id) === gate.status);
}

function sameLifecycle(a: LifecycleSnapshot, b: LifecycleSnapshot): boolean {
  return (
    a.phase === b.phase &&
    a.inferred === b.inferred &&
    a.health === b.health &&
    sameGates(a.gates, b.gates)
  );
}

/**
 * The {@link LifecycleHistoryStore} in the plugin's database (SQLite or
 * PostgreSQL, through knex).
 */
export class DatabaseLifecycleHistoryStore implements LifecycleHistoryStore {
  private readonly client: DatabaseClient;
  private readonly now: () => Date;

  /**
   * Connects to the plugin's database and migrates it, unless the database
   * service says to skip migrations.
   */
  static async create(options: {
    database: DatabaseService;
    now?: () => Date;
  }): Promise<DatabaseLifecycleHistoryStore> {
    return new DatabaseLifecycleHistoryStore({
      client: await migratedClient(options.database),
      now: options.now,
    });
  }

  /** Uses a client whose database is already migrated. */
  constructor(options: { client: DatabaseClient; now?: () => Date }) {
    this.client = options.client;
    this.now = options.now ?? (() => new Date());
  }

  async record(snapshot: LifecycleSnapshot): Promise<boolean> {
    const checked = parseOrInputError(
      snapshotSchema,
      snapshot,
      'lifecycle snapshot',
    );
    const entityRef = normalizeEntityRef(snapshot.entityRef);
    return this.client.transaction(async tx => {
      const latest = await tx(TABLE)
        .where({ entity_ref: entityRef })
        .orderBy('id', 'desc')
        .first();
      if (latest && sameLifecycle(toRecord(latest), checked)) {
        return false;
      }
      await tx(TABLE).insert({
        entity_ref: entityRef,
        phase: checked.phase,
        inferred: checked.inferred,
        health: checked.health,
        gates: JSON.stringify(
          checked.gates.map(({ id, status }) => ({ id, status })),
        ),
        recorded_at: this.now(),
      });
      return true;
    });
  }

  async history(
    entityRef: string,
    query: LifecycleHistoryQuery = {},
  ): Promise<LifecycleRecord[]> {
    const rows: unknown[] = await this.client(TABLE)
      .where({ entity_ref: normalizeEntityRef(entityRef) })
      .orderBy('id', 'desc')
      .limit(
        readLimit(query.limit, { default: DEFAULT_LIMIT, max: MAX_LIMIT }),
      );
    return rows.map(toRecord);
  }

  async latestForAll(): Promise<LifecycleRecord[]> {
    const rows: unknown[] = await this.client(TABLE)
      .whereIn('id', this.client(TABLE).max('id').groupBy('entity_ref'))
      .orderBy('entity_ref');
    return rows.map(toRecord);
  }

  async forget(entityRefs: readonly string[]): Promise<number> {
    const refs = [
      ...new Set(entityRefs.map(ref => normalizeEntityRef(ref, 'entityRefs'))),
    ];
    let deleted = 0;
    for (let i = 0; i < refs.length; i += DELETE_CHUNK) {
      deleted += await this.client(TABLE)
        .whereIn('entity_ref', refs.slice(i, i + DELETE_CHUNK))
        .delete();
    }
    return deleted;
  }
}
