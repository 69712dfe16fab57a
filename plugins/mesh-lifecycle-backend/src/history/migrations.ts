import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';

/** The knex client a {@link DatabaseService} hands out. */
export type DatabaseClient = Awaited<ReturnType<DatabaseService['getClient']>>;

/** The plugin's knex migrations (plain `.js` files, shipped with the package). */
export const MIGRATIONS_DIRECTORY = resolvePackagePath(
  '@mesh-lifecycle/plugin-mesh-lifecycle-backend',
  'migrations',
);

/** Brings the plugin's tables up to date. */
export async function applyMigrations(client: DatabaseClient): Promise<void> {
  await client.migrate.latest({ directory: MIGRATIONS_DIRECTORY });
}

/**
 * The plugin's database client, migrated unless the database service says
 * to skip migrations: what every store of the plugin starts from.
 */
export async function migratedClient(
  database: DatabaseService,
): Promise<DatabaseClient> {
  const client = await database.getClient();
  if (!database.migrations?.skip) await applyMigrations(client);
  return client;
}
