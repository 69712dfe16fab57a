import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  ACTIVE_RETIREMENT_STATES,
  ArchivedObjectRecord,
  RetirementRecord,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { z } from 'zod';
import { DatabaseClient, migratedClient } from '../history/migrations';
import { parseOrInputError, readLimit } from '../history/storeInput';
import { normalizeEntityRef } from '../history/LifecycleHistoryStore';

const TABLE = 'retirements';
const ARCHIVE = 'retirement_archive';
const MAX_LIMIT = 100;

const name = z.string().min(1).max(253);
const isoTime = z.iso.datetime({ offset: true });
const id = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][-_.:A-Za-z0-9]*$/);

/** What a retirement record must hold; the same shape the action sends. */
export const retirementRecordSchema = z
  .object({
    id,
    entityRef: z.string().min(1),
    cluster: name,
    namespace: name,
    requestedBy: z.string().min(1).optional(),
    reason: z.string().min(1).max(10_000),
    replacement: z.string().min(1).optional(),
    drainWindowSeconds: z.number().int().min(0),
    state: z.enum(['requested', 'running', 'completed', 'refused', 'failed']),
    blockers: z.array(z.string().max(10_000)),
    forcedBecause: z.string().min(1).max(10_000).optional(),
    steps: z.array(
      z
        .object({
          step: z.enum(['mark', 'scale', 'archive', 'delete']),
          kind: name,
          name,
          outcome: z.string().max(1000),
        })
        .strict(),
    ),
    notified: z
      .object({
        at: isoTime,
        owners: z.array(z.string().min(1).max(1000)),
        dependents: z.array(z.string().min(1).max(1000)),
      })
      .strict()
      .optional(),
    message: z.string().max(10_000).optional(),
    requestedAt: isoTime,
    updatedAt: isoTime,
    finishedAt: isoTime.optional(),
  })
  .strict();

/** One archived object, as sent and served. */
export const archivedObjectSchema = z
  .object({
    apiVersion: z.string().min(1).max(253),
    kind: name,
    namespace: name.optional(),
    name,
    uid: z.string().min(1).max(253).optional(),
    yaml: z.string().min(1).max(3_000_000),
  })
  .strict();

/** Parses a retirement record; an `InputError` naming the field otherwise. */
export function parseRetirementRecord(value: unknown): RetirementRecord {
  return parseOrInputError(retirementRecordSchema, value, 'retirement record');
}

/** Parses archived objects; an `InputError` naming the field otherwise. */
export function parseArchivedObjects(value: unknown): ArchivedObjectRecord[] {
  return parseOrInputError(
    z.array(archivedObjectSchema),
    value,
    'archived objects',
  );
}

/** A unique index refused the write (PostgreSQL 23505, SQLite's UNIQUE). */
function isUniqueViolation(error: unknown): boolean {
  const { code, message } = (error ?? {}) as {
    code?: unknown;
    message?: unknown;
  };
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    (typeof message === 'string' &&
      message.includes('UNIQUE constraint failed'))
  );
}

/** Newest request first; the id breaks ties of the same second. */
const NEWEST_FIRST = [
  { column: 'requested_at', order: 'desc' as const },
  { column: 'id', order: 'desc' as const },
];

/** What a service's retirement requests tell its lifecycle. */
export interface RetirementFacts {
  /** The newest request that notified its dependents' owners. */
  notice?: { requestId: string; at: string; owners: string[] };
  /** Its newest request, when it completed. */
  completed?: { requestId: string; at: string };
}

const objectKey = (o: ArchivedObjectRecord) =>
  [o.apiVersion, o.kind, o.namespace ?? '', o.name, o.uid ?? ''].join('/');

/**
 * Retirement requests and what their runs archived, in the plugin's
 * database (SQLite or PostgreSQL, through knex). At most one run per
 * service at a time: recording a run as `running` while another request
 * of the same service runs is a conflict.
 */
export class RetirementStore {
  private readonly client: DatabaseClient;

  /** Connects and migrates, unless the database service says to skip migrations. */
  static async create(options: {
    database: DatabaseService;
  }): Promise<RetirementStore> {
    return new RetirementStore(await migratedClient(options.database));
  }

  constructor(client: DatabaseClient) {
    this.client = client;
  }

  /** Records a request, or replaces the record with its id. */
  async record(record: RetirementRecord): Promise<void> {
    const checked = parseRetirementRecord(record);
    const entityRef = normalizeEntityRef(checked.entityRef);
    await this.client.transaction(async tx => {
      if (ACTIVE_RETIREMENT_STATES.includes(checked.state)) {
        const rows: Array<{ id: string; record: string }> = await tx(TABLE)
          .where({ entity_ref: entityRef })
          .whereIn('state', [...ACTIVE_RETIREMENT_STATES])
          .whereNot({ id: checked.id })
          .select('id', 'record');
        if (rows.length) {
          const other = parseRetirementRecord(JSON.parse(rows[0].record));
          throw new ConflictError(
            `${checked.entityRef} is being retired by request ${other.id}${
              other.requestedBy ? ` of ${other.requestedBy}` : ''
            } (running since ${other.updatedAt}): one run at a time`,
          );
        }
      }
      try {
        await tx(TABLE)
          .insert({
            id: checked.id,
            entity_ref: entityRef,
            state: checked.state,
            requested_at: new Date(checked.requestedAt),
            record: JSON.stringify(checked),
          })
          .onConflict('id')
          .merge();
      } catch (error) {
        // Another replica's run claimed the service in between.
        if (isUniqueViolation(error)) {
          throw new ConflictError(
            `${checked.entityRef} is being retired by another request: one run at a time`,
          );
        }
        throw error;
      }
    });
  }

  /**
   * What a service's retirement requests tell its lifecycle, in one read:
   * the newest request that notified its dependents' owners (the gate
   * owners-notified), and whether its newest request completed (it was
   * decommissioned).
   */
  async lifecycleFacts(entityRef: string): Promise<RetirementFacts> {
    const rows: Array<{ record: string }> = await this.client(TABLE)
      .where({ entity_ref: normalizeEntityRef(entityRef) })
      .orderBy(NEWEST_FIRST)
      .select('record');
    const records = rows.map(r => parseRetirementRecord(JSON.parse(r.record)));
    const facts: RetirementFacts = {};
    const notified = records.find(r => r.notified);
    if (notified?.notified) {
      facts.notice = {
        requestId: notified.id,
        at: notified.notified.at,
        owners: notified.notified.owners,
      };
    }
    const [newest] = records;
    if (newest?.state === 'completed') {
      facts.completed = {
        requestId: newest.id,
        at: newest.finishedAt ?? newest.updatedAt,
      };
    }
    return facts;
  }

  /**
   * The newest request of each service, where it is not completed:
   * requested, running, refused or stopped — what still wants retiring.
   */
  async openRequests(): Promise<RetirementRecord[]> {
    // The newest request of each service from the index columns alone;
    // then the records of the open ones only.
    const rows: Array<{ id: string; entity_ref: string; state: string }> =
      await this.client(TABLE)
        .orderBy(NEWEST_FIRST)
        .select('id', 'entity_ref', 'state');
    const seen = new Set<string>();
    const open: string[] = [];
    for (const row of rows) {
      if (seen.has(row.entity_ref)) continue;
      seen.add(row.entity_ref);
      if (row.state !== 'completed') open.push(row.id);
    }
    if (open.length === 0) return [];
    const records: Array<{ id: string; record: string }> = await this.client(
      TABLE,
    )
      .whereIn('id', open)
      .select('id', 'record');
    const byId = new Map(records.map(r => [r.id, r.record]));
    return open.map(key => parseRetirementRecord(JSON.parse(byId.get(key)!)));
  }

  /** A service's requests, newest first. */
  async retirements(
    entityRef: string,
    options: { limit?: number } = {},
  ): Promise<RetirementRecord[]> {
    const limit = readLimit(options.limit, { default: 10, max: MAX_LIMIT });
    const rows: Array<{ record: string }> = await this.client(TABLE)
      .where({ entity_ref: normalizeEntityRef(entityRef) })
      .orderBy(NEWEST_FIRST)
      .limit(limit)
      .select('record');
    return rows.map(r => parseRetirementRecord(JSON.parse(r.record)));
  }

  /** One request by id, if recorded. */
  async get(requestId: string): Promise<RetirementRecord | undefined> {
    const row: { record: string } | undefined = await this.client(TABLE)
      .where({ id: requestId })
      .first('record');
    return row ? parseRetirementRecord(JSON.parse(row.record)) : undefined;
  }

  /**
   * Keeps objects a request's run is about to delete: one copy per object
   * (a retried run sending them again adds nothing), in the order sent.
   */
  async archive(
    requestId: string,
    objects: ArchivedObjectRecord[],
  ): Promise<void> {
    const checked = parseArchivedObjects(objects);
    await this.client.transaction(async tx => {
      const request = await tx(TABLE).where({ id: requestId }).first('id');
      if (!request) {
        throw new InputError(`No retirement ${requestId} is recorded`);
      }
      const [{ count }] = await tx(ARCHIVE)
        .where({ retirement_id: requestId })
        .count({ count: '*' });
      for (const [i, o] of checked.entries()) {
        await tx(ARCHIVE)
          .insert({
            retirement_id: requestId,
            object_key: objectKey(o),
            position: Number(count) + i,
            object: JSON.stringify(o),
          })
          .onConflict(['retirement_id', 'object_key'])
          .ignore();
      }
    });
  }

  /** What a request's run archived, in deletion order. */
  async archived(requestId: string): Promise<ArchivedObjectRecord[]> {
    const rows: Array<{ object: string }> = await this.client(ARCHIVE)
      .where({ retirement_id: requestId })
      .orderBy('position')
      .select('object');
    return rows.map(r => parseArchivedObjects([JSON.parse(r.object)])[0]);
  }
}
