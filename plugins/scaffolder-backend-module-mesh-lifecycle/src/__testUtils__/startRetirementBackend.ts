import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/** What the backend process is started with. */
export interface RetirementBackendSettings {
  /** Where the plugins' SQLite databases are kept across restarts. */
  databaseDirectory: string;
  entities: Entity[];
  /** `meshLifecycle` configuration. */
  meshLifecycle: JsonObject;
}

export const SETTINGS_VARIABLE = 'RETIREMENT_BACKEND_SETTINGS';

/** A running backend process. */
export interface RetirementBackend {
  baseUrl: string;
  /** Kills it at once (SIGKILL): no shutdown, no last write. */
  kill(): Promise<void>;
}

const exited = (child: ChildProcess) =>
  new Promise<void>(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/**
 * Starts retirementBackendProcess.ts in a process of its own (TypeScript
 * through the Backstage CLI's node transform) and resolves once it serves.
 */
export async function startRetirementBackend(
  settings: RetirementBackendSettings,
): Promise<RetirementBackend> {
  const child = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      path.join(__dirname, 'retirementBackendProcess.ts'),
    ],
    {
      env: { ...process.env, [SETTINGS_VARIABLE]: JSON.stringify(settings) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stderr!.on('data', chunk => {
    output += String(chunk);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The backend did not start within 120 s:\n${output}`));
    }, 120_000);
    child.stdout!.on('data', chunk => {
      output += String(chunk);
      const match = /listening (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', code => {
      clearTimeout(timer);
      reject(
        new Error(`The backend exited (${code}) before serving:\n${output}`),
      );
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    kill: async () => {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}
