import { accessSync, constants, readdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** Where Debian's postgresql packages put the server binaries. */
export const DEBIAN_POSTGRESQL_ROOT = '/usr/lib/postgresql';

const SERVER_BINARIES = ['initdb', 'postgres'] as const;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function holdsServerBinaries(dir: string): boolean {
  return SERVER_BINARIES.every(name => isExecutable(join(dir, name)));
}

/**
 * The `<version>/bin` folders under `root`, newest version first
 * (numerically, so 16 comes before 9.6).
 */
function debianBinDirs(root: string): string[] {
  let versions: string[];
  try {
    versions = readdirSync(root);
  } catch {
    return [];
  }
  const numeric = (version: string) => version.split('.').map(Number);
  return versions
    .filter(version => /^\d+(\.\d+)?$/.test(version))
    .sort((a, b) => {
      const [x, y] = [numeric(a), numeric(b)];
      return y[0] - x[0] || (y[1] ?? 0) - (x[1] ?? 0);
    })
    .map(version => join(root, version, 'bin'));
}

/**
 * The folder holding the PostgreSQL server binaries (`initdb`, `postgres`):
 * `binDir` when given, else the folder `initdb` on `PATH` really lives in
 * (Debian only links client tools onto `PATH`), else the newest
 * `/usr/lib/postgresql/<version>/bin`. Fails with how to install them.
 */
export function findPostgresBinaries(
  options: { binDir?: string; debianRoot?: string; path?: string } = {},
): string {
  if (options.binDir !== undefined) {
    if (holdsServerBinaries(options.binDir)) return options.binDir;
    throw new Error(
      `No executable ${SERVER_BINARIES.join(' and ')} in ${
        options.binDir
      } (the PostgreSQL bin directory given through binDir or POSTGRES_BIN_DIR). ` +
        `Install Debian's postgresql package (apt-get install -y postgresql), ` +
        `which provides them under ${DEBIAN_POSTGRESQL_ROOT}/<version>/bin.`,
    );
  }
  const onPath = (options.path ?? process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map(dir => join(dir, 'initdb'))
    .filter(isExecutable)
    .map(initdb => dirname(realpathSync(initdb)));
  const candidates = [
    ...onPath,
    ...debianBinDirs(options.debianRoot ?? DEBIAN_POSTGRESQL_ROOT),
  ];
  const found = candidates.find(holdsServerBinaries);
  if (found) return found;
  throw new Error(
    `Cannot find the PostgreSQL server binaries (${SERVER_BINARIES.join(
      ', ',
    )}) on PATH or under ${
      options.debianRoot ?? DEBIAN_POSTGRESQL_ROOT
    }/<version>/bin. Install Debian's postgresql package ` +
      `(apt-get install -y postgresql), or set POSTGRES_BIN_DIR to the folder holding them.`,
  );
}
