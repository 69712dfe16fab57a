/**
 * A harness running the real PostgreSQL server binaries for tests.
 */
export { startPostgres } from './startPostgres';
export type {
  PostgresConnection,
  PostgresInstance,
  PostgresOptions,
} from './startPostgres';
