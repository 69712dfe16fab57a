import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createManagedProcess } from '../process/createManagedProcess';
import { findFreePort } from '../prometheus/findFreePort';
import { findPostgresBinaries } from './findPostgresBinaries';

/**
 * Options of {@link startPostgres}.
 *
 * @public
 */
export interface PostgresOptions {
  /**
   * Folder of the server binaries `initdb` and `postgres` (default
   * `POSTGRES_BIN_DIR`, else the folder of `initdb` on `PATH`, else the
   * newest `/usr/lib/postgresql/<version>/bin`).
   */
  binDir?: string;
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** The superuser's name (default `postgres`). */
  user?: string;
  /** The superuser's password (default: a random one). */
  password?: string;
  /** Further server settings, passed as `-c name=value`. */
  settings?: Record<string, string>;
  /** How long to wait until the server accepts connections (default 30 s). */
  startTimeoutMs?: number;
}

/**
 * How to connect to a {@link PostgresInstance}, in the shape of the `pg`
 * driver's (and knex's) connection object.
 *
 * @public
 */
export interface PostgresConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/**
 * A running PostgreSQL server.
 *
 * @public
 */
export interface PostgresInstance {
  connection: PostgresConnection;
  /** The same as a connection string, `postgresql://user:password@host:port/database`. */
  url: string;
  /** The server's major version, e.g. `15`. */
  version: string;
  /** The data directory. */
  dataDir: string;
  /** Shuts the server down (fast shutdown) and removes its files. */
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 10_000;
/** `initdb` refuses to run as root; Debian's postgresql package creates this user. */
const SYSTEM_USER = 'postgres';

/**
 * The uid and gid to run the server as: none (the current user) unless the
 * current user is root, which PostgreSQL refuses to run as.
 */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let entry: string;
  try {
    entry = execFileSync('getent', ['passwd', SYSTEM_USER], {
      encoding: 'utf8',
    });
  } catch {
    throw new Error(
      `PostgreSQL refuses to run as root and there is no "${SYSTEM_USER}" user to run it as. ` +
        `Install Debian's postgresql package (apt-get install -y postgresql), which creates it, or run the tests as another user.`,
    );
  }
  const [, , uid, gid] = entry.trim().split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Whether `postmaster.pid` says `ready`, which is what `pg_ctl -w` waits
 * for: the server accepts connections.
 */
async function isReady(dataDir: string): Promise<boolean> {
  const lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8'))
    .split('\n')
    .map(line => line.trim());
  // Line 8 is the postmaster's status (PostgreSQL 10 and later).
  return lines[7] === 'ready';
}

function connectionUrl(connection: PostgresConnection): string {
  const url = new URL('postgresql://localhost');
  url.hostname = connection.host;
  url.port = String(connection.port);
  url.username = connection.user;
  url.password = connection.password;
  url.pathname = `/${connection.database}`;
  return url.href;
}

/**
 * Starts the real PostgreSQL server binaries (Debian's `postgresql`
 * package): `initdb` makes a fresh cluster in a temporary directory and
 * `postgres` serves it on 127.0.0.1 on a free port, with password
 * (SCRAM) authentication and durability settings off for speed. When run as
 * root, both run as the `postgres` system user, which owns the directory.
 * Fails with how to install the package when the binaries are missing.
 *
 * @public
 */
export async function startPostgres(
  options: PostgresOptions = {},
): Promise<PostgresInstance> {
  const binDir = findPostgresBinaries({
    binDir: options.binDir ?? process.env.POSTGRES_BIN_DIR,
  });
  const user = serverUser();
  const server = await createManagedProcess({
    name: 'PostgreSQL',
    tempDirPrefix: 'postgres-harness-',
    user,
    env: { ...process.env, LC_ALL: 'C' },
    // SIGINT is PostgreSQL's fast shutdown: it ends open sessions.
    stopSignal: 'SIGINT',
    stopGraceMs: STOP_TIMEOUT_MS,
    // Immediate shutdown: its backends end too, and nothing can be awaited then.
    exitSignal: 'SIGQUIT',
  });
  const home = server.dir;
  const dataDir = join(home, 'data');
  const passwordFile = join(home, 'password');
  const connection: PostgresConnection = {
    host: '127.0.0.1',
    port: 0,
    user: options.user ?? 'postgres',
    password: options.password ?? randomBytes(18).toString('base64url'),
    database: 'postgres',
  };

  try {
    await writeFile(passwordFile, `${connection.password}\n`, { mode: 0o600 });
    if (user) {
      await chown(home, user.uid, user.gid);
      await chown(passwordFile, user.uid, user.gid);
    }
    await server.run(join(binDir, 'initdb'), [
      `--pgdata=${dataDir}`,
      `--username=${connection.user}`,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    await rm(passwordFile);
    const version = (
      await readFile(join(dataDir, 'PG_VERSION'), 'utf8')
    ).trim();

    connection.port = options.port ?? (await findFreePort());
    const settings = {
      listen_addresses: connection.host,
      port: String(connection.port),
      unix_socket_directories: home,
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      ...options.settings,
    };
    await server.start(
      join(binDir, 'postgres'),
      [
        '-D',
        dataDir,
        ...Object.entries(settings).flatMap(([name, value]) => [
          '-c',
          `${name}=${value}`,
        ]),
      ],
      {
        isReady: () => isReady(dataDir),
        timeoutMs: options.startTimeoutMs ?? 30_000,
        pollIntervalMs: 50,
      },
    );

    return {
      connection: { ...connection },
      url: connectionUrl(connection),
      version,
      dataDir,
      stop: server.stop,
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
