import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options of {@link createManagedProcess}. */
export interface ManagedProcessOptions {
  /** Names the server in errors, e.g. `Prometheus`. */
  name: string;
  /** Prefix of the temporary directory, e.g. `prometheus-harness-`. */
  tempDirPrefix: string;
  /** Whom to run every process as (default: the current user). */
  user?: { uid: number; gid: number };
  /** Environment of every process (default: this one's). */
  env?: NodeJS.ProcessEnv;
  /** Asks the server to stop (default `SIGTERM`). */
  stopSignal?: NodeJS.Signals;
  /** How long `stop` waits after `stopSignal` before sending SIGKILL. */
  stopGraceMs: number;
  /** Sent to the server if this Node.js process exits first (default `SIGKILL`). */
  exitSignal?: NodeJS.Signals;
}

/** Options of {@link ManagedProcess.start}. */
export interface ManagedProcessStartOptions {
  /** Whether the server is ready; a throw counts as not yet. */
  isReady(): Promise<boolean>;
  timeoutMs: number;
  /** Pause between two `isReady` calls (default 100 ms). */
  pollIntervalMs?: number;
}

/**
 * A temporary directory and the server process that works in it, both gone
 * after `stop`.
 */
export interface ManagedProcess {
  /** The temporary directory; the working directory of every process. */
  dir: string;
  /**
   * Runs a command to completion; throws `<label> exited with …` and the
   * last lines of its stderr unless it exits with code 0.
   */
  run(binary: string, args: string[], label?: string): Promise<void>;
  /**
   * Starts the server and waits until `isReady`; throws, with the last
   * lines of its stderr, when it exits first or the time is up.
   */
  start(
    binary: string,
    args: string[],
    options: ManagedProcessStartOptions,
  ): Promise<void>;
  /**
   * Stops the server (`stopSignal`, then SIGKILL after the grace period) and
   * removes the directory; may be called at any point, and more than once.
   */
  stop(): Promise<void>;
}

const STDERR_TAIL_LINES = 40;

/** Keeps the last lines a process wrote to stderr. */
function tailOf(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString())
      .split('\n')
      .slice(-STDERR_TAIL_LINES)
      .join('\n');
  });
  return () => tail;
}

/** Resolves with the exit code (or the spawn error) of a process. */
function exitOf(child: ChildProcess): Promise<string> {
  return new Promise(resolve => {
    child.once('error', err => resolve(`failed to run: ${err.message}`));
    child.once('exit', (code, signal) =>
      resolve(`exited with ${signal ?? `code ${code}`}`),
    );
  });
}

/**
 * Makes a fresh temporary directory for a server process that tests run:
 * the shared spawn, wait-until-ready and stop logic of the harnesses.
 */
export async function createManagedProcess(
  options: ManagedProcessOptions,
): Promise<ManagedProcess> {
  const dir = await mkdtemp(join(tmpdir(), options.tempDirPrefix));
  const spawnIn = (binary: string, args: string[]) =>
    spawn(binary, args, {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(options.env ? { env: options.env } : {}),
      ...options.user,
    });

  let child: ChildProcess | undefined;
  let exited: Promise<string> = Promise.resolve('not started');
  const killOnExit = () => child?.kill(options.exitSignal ?? 'SIGKILL');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill(options.stopSignal ?? 'SIGTERM');
        const timer = setTimeout(
          () => child?.kill('SIGKILL'),
          options.stopGraceMs,
        );
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  return {
    dir,
    async run(binary, args, label = binary) {
      const oneShot = spawnIn(binary, args);
      const stderr = tailOf(oneShot);
      const exit = await exitOf(oneShot);
      if (exit !== 'exited with code 0') {
        throw new Error(`${label} ${exit}:\n${stderr()}`);
      }
    },
    async start(binary, args, { isReady, timeoutMs, pollIntervalMs = 100 }) {
      if (child) throw new Error(`${options.name} was already started`);
      child = spawnIn(binary, args);
      process.once('exit', killOnExit);
      const stderr = tailOf(child);
      exited = exitOf(child);
      let exit: string | undefined;
      exited.then(reason => {
        exit = reason;
      });
      const fail = (reason: string) =>
        new Error(
          `${options.name} ${reason}; last lines of its stderr:\n${stderr()}`,
        );
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exit) throw fail(`${exit} before it was ready`);
        try {
          if (await isReady()) return;
        } catch {
          // not ready yet
        }
        await new Promise(resolve => setTimeout(resolve, pollIntervalMs));
      }
      throw fail(`was not ready within ${timeoutMs} ms`);
    },
    stop,
  };
}
