import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgresBinaries } from './findPostgresBinaries';
import { PostgresInstance, startPostgres } from './startPostgres';

jest.setTimeout(60_000);

/** Runs SQL with Debian's `psql` client, as another program would connect. */
function psql(
  postgres: PostgresInstance,
  sql: string,
  password = postgres.connection.password,
): Promise<string> {
  const { host, port, user, database } = postgres.connection;
  return new Promise((resolve, reject) => {
    execFile(
      join(findPostgresBinaries(), 'psql'),
      [
        '--no-psqlrc',
        '--tuples-only',
        '--no-align',
        '--set=ON_ERROR_STOP=1',
        `--host=${host}`,
        `--port=${port}`,
        `--username=${user}`,
        `--dbname=${database}`,
        `--command=${sql}`,
      ],
      { env: { ...process.env, PGPASSWORD: password } },
      (error, stdout, stderr) =>
        error ? reject(new Error(stderr || error.message)) : resolve(stdout),
    );
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startPostgres', () => {
  let postgres: PostgresInstance | undefined;

  beforeAll(async () => {
    postgres = await startPostgres({ user: 'mesh', password: 's3cret pass' });
  });
  afterAll(() => postgres?.stop());

  it('serves a fresh cluster that stores and queries rows', async () => {
    await psql(
      postgres!,
      `CREATE TABLE phases (service text PRIMARY KEY, phase text NOT NULL);
       INSERT INTO phases VALUES ('reviews', 'operate'), ('ratings', 'test');`,
    );
    const rows = await psql(
      postgres!,
      'SELECT service, phase FROM phases ORDER BY service',
    );
    expect(rows.trim().split('\n')).toEqual([
      'ratings|test',
      'reviews|operate',
    ]);
    expect(await psql(postgres!, 'SELECT current_user')).toBe('mesh\n');
    expect(await psql(postgres!, 'SHOW server_version_num')).toMatch(
      new RegExp(`^${postgres!.version}\\d{4}\\n$`),
    );
  });

  it('requires the password', async () => {
    await expect(psql(postgres!, 'SELECT 1', 'wrong')).rejects.toThrow(
      /password authentication failed/,
    );
  });

  it('describes the connection as a URL too', () => {
    const url = new URL(postgres!.url);
    expect(url.protocol).toBe('postgresql:');
    expect(decodeURIComponent(url.username)).toBe('mesh');
    expect(decodeURIComponent(url.password)).toBe('s3cret pass');
    expect(Number(url.port)).toBe(postgres!.connection.port);
    expect(url.pathname).toBe('/postgres');
  });

  it('shuts down and removes its files on stop', async () => {
    const other = await startPostgres();
    const { port } = other.connection;
    expect(await accepts(port)).toBe(true);
    await other.stop();
    expect(await accepts(port)).toBe(false);
    expect(existsSync(other.dataDir)).toBe(false);
  });

  it('reports the last lines of stderr when the server does not start', async () => {
    await expect(
      startPostgres({ settings: { no_such_setting: 'on' } }),
    ).rejects.toThrow(
      /^PostgreSQL exited with code \d+ before it was ready; last lines of its stderr:\n.*no_such_setting/s,
    );
  });
});

describe('findPostgresBinaries', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'postgres-binaries-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  async function fakeBinDir(version: string, names = ['initdb', 'postgres']) {
    const dir = join(root, version, 'bin');
    await mkdir(dir, { recursive: true });
    for (const name of names) {
      await writeFile(join(dir, name), '#!/bin/sh\n');
      await chmod(join(dir, name), 0o755);
    }
    return dir;
  }

  it('takes the newest Debian version that has the server binaries', async () => {
    await fakeBinDir('9.6');
    const v15 = await fakeBinDir('15');
    await fakeBinDir('16', ['initdb']); // the server package is missing
    expect(findPostgresBinaries({ debianRoot: root, path: '' })).toBe(v15);
  });

  it('prefers initdb found on PATH', async () => {
    await fakeBinDir('16');
    const own = await fakeBinDir('custom');
    expect(findPostgresBinaries({ debianRoot: root, path: own })).toBe(own);
  });

  it('names the package to install when nothing is found', () => {
    expect(() =>
      findPostgresBinaries({ debianRoot: join(root, 'none'), path: '' }),
    ).toThrow(/apt-get install -y postgresql/);
  });

  it('checks an explicit binDir', () => {
    expect(() => findPostgresBinaries({ binDir: root })).toThrow(
      /No executable initdb and postgres in/,
    );
  });
});
