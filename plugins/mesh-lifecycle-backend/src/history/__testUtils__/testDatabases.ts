import { TestDatabases } from '@backstage/backend-test-utils';
import {
  PostgresInstance,
  startPostgres,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';

/** The databases the plugin supports, as `describe.each` rows: name and id. */
export const SUPPORTED_DATABASES = [
  ['SQLite', 'SQLITE_3'],
  ['PostgreSQL', 'POSTGRES_15'],
] as const;

/** A {@link SUPPORTED_DATABASES} id. */
export type SupportedDatabaseId = (typeof SUPPORTED_DATABASES)[number][1];

/**
 * Backstage's `TestDatabases` tells PostgreSQL apart by major version, but
 * only to pick a Docker image or this variable; the server is whichever
 * Debian's `postgresql` package installed.
 */
const CONNECTION_STRING_VARIABLE =
  'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';

/**
 * Backstage's `TestDatabases` (a fresh in-memory SQLite, or a fresh logical
 * PostgreSQL database, per `init`) with PostgreSQL served by the real Debian
 * binaries through `startPostgres` instead of Docker, started on first use.
 * A missing `postgresql` package fails the PostgreSQL tests with how to
 * install it; they are never skipped. A connection string already in
 * `BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING` is used instead.
 * Call at the top of a test file or `describe`.
 */
export function createTestDatabases(): {
  init(id: SupportedDatabaseId): ReturnType<TestDatabases['init']>;
} {
  const databases = TestDatabases.create({
    ids: SUPPORTED_DATABASES.map(([, id]) => id),
    // Never used: the connection string is set before the first init.
    disableDocker: false,
  });
  const given = process.env[CONNECTION_STRING_VARIABLE];
  let postgres: Promise<PostgresInstance> | undefined;
  // Declared after TestDatabases' own afterAll, so it runs after the
  // databases are dropped.
  afterAll(async () => {
    if (given === undefined) delete process.env[CONNECTION_STRING_VARIABLE];
    await (await postgres?.catch(() => undefined))?.stop();
  }, 60_000);

  return {
    async init(id) {
      if (id !== 'SQLITE_3' && given === undefined) {
        postgres ??= startPostgres();
        process.env[CONNECTION_STRING_VARIABLE] = (await postgres).url;
      }
      return databases.init(id);
    },
  };
}
