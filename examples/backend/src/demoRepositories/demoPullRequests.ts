import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import fs from 'fs/promises';
import path from 'path';
import { isRepositoryName, repositoryDir } from './repositoryPaths';

/** One file a demo pull request changes; `null`: the file is absent. */
export interface DemoPullRequestFile {
  /** Relative to the repository root, with `/` separators. */
  path: string;
  before: string | null;
  after: string | null;
}

/** A proposed change to a demo repository, until merged. */
export interface DemoPullRequest {
  repository: string;
  number: number;
  title: string;
  description: string;
  branch: string;
  createdAt: string;
  state: 'open' | 'merged';
  mergedAt?: string;
  files: DemoPullRequestFile[];
}

/** What a new pull request proposes. */
export interface NewDemoPullRequest {
  repository: string;
  title: string;
  description: string;
  branch: string;
  /** Path in the repository → the proposed content (`null`: delete it). */
  files: Map<string, string | null>;
}

/**
 * Where pull requests are kept: beside the repositories, in a folder no
 * repository can be named (`.pulls` is not a DNS label), so the
 * repositories route never serves them as files.
 */
const PULLS_FOLDER = '.pulls';

async function readOptional(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * The offline demo's pull requests: a change to a demo repository proposed
 * by a template (`publish:demo:pull-request`), looked at in the browser and
 * merged there. Kept as one JSON file each; merging checks that every file
 * is still what the request was made against, so a merge never overwrites a
 * change made since.
 */
export class DemoPullRequests {
  /** Merges in progress, so one request is not merged twice at once. */
  private readonly merging = new Set<string>();

  constructor(private readonly repositoriesDir: string) {}

  private pullsDir(repository: string): string {
    repositoryDir(this.repositoriesDir, repository, 'repository');
    return path.join(this.repositoriesDir, PULLS_FOLDER, repository);
  }

  private pullFile(repository: string, number: number): string {
    return path.join(this.pullsDir(repository), `${number}.json`);
  }

  /** Files a repository path names, refusing paths that leave it. */
  private repositoryFile(repository: string, file: string): string {
    return resolveSafeChildPath(
      repositoryDir(this.repositoriesDir, repository, 'repository'),
      file,
    );
  }

  /** Opens a pull request; an `InputError` when it would change nothing. */
  async create(proposal: NewDemoPullRequest): Promise<DemoPullRequest> {
    const repositoryRoot = repositoryDir(
      this.repositoriesDir,
      proposal.repository,
      'repository',
    );
    try {
      await fs.access(repositoryRoot);
    } catch {
      throw new NotFoundError(
        `No demo repository ${proposal.repository} to propose a change to`,
      );
    }
    const files: DemoPullRequestFile[] = [];
    for (const [file, after] of [...proposal.files].sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      const before = await readOptional(
        this.repositoryFile(proposal.repository, file),
      );
      if (before !== after) files.push({ path: file, before, after });
    }
    if (files.length === 0) {
      throw new InputError(
        `The proposed files are what ${proposal.repository} holds already: nothing to propose`,
      );
    }
    const dir = this.pullsDir(proposal.repository);
    await fs.mkdir(dir, { recursive: true });
    for (;;) {
      const number = (await this.numbers(proposal.repository)).reduce(
        (max, n) => Math.max(max, n + 1),
        1,
      );
      const pull: DemoPullRequest = {
        repository: proposal.repository,
        number,
        title: proposal.title,
        description: proposal.description,
        branch: proposal.branch,
        createdAt: new Date().toISOString(),
        state: 'open',
        files,
      };
      try {
        // Written exclusively: two requests opened at once get two numbers.
        await fs.writeFile(
          this.pullFile(proposal.repository, number),
          JSON.stringify(pull, null, 2),
          { flag: 'wx' },
        );
        return pull;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }

  private async numbers(repository: string): Promise<number[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.pullsDir(repository));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .map(name => /^([1-9]\d*)\.json$/.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number);
  }

  /** A pull request, or undefined when there is none of that number. */
  async get(
    repository: string,
    number: number,
  ): Promise<DemoPullRequest | undefined> {
    if (!isRepositoryName(repository) || !Number.isSafeInteger(number)) {
      return undefined;
    }
    const text = await readOptional(this.pullFile(repository, number));
    return text === null ? undefined : (JSON.parse(text) as DemoPullRequest);
  }

  /**
   * Writes a pull request's files into its repository. A `ConflictError`
   * when it is merged already or a file changed since it was opened (then
   * nothing is written).
   */
  async merge(repository: string, number: number): Promise<DemoPullRequest> {
    const key = `${repository}#${number}`;
    if (this.merging.has(key)) {
      throw new ConflictError(`Pull request ${key} is being merged`);
    }
    this.merging.add(key);
    try {
      const pull = await this.get(repository, number);
      if (!pull) {
        throw new NotFoundError(`No pull request ${key}`);
      }
      if (pull.state === 'merged') {
        throw new ConflictError(
          `Pull request ${key} was merged at ${pull.mergedAt}`,
        );
      }
      for (const file of pull.files) {
        const now = await readOptional(
          this.repositoryFile(repository, file.path),
        );
        if (now !== file.before) {
          throw new ConflictError(
            `${file.path} changed in ${repository} since pull request #${number} was opened; nothing was merged`,
          );
        }
      }
      for (const file of pull.files) {
        const target = this.repositoryFile(repository, file.path);
        if (file.after === null) {
          await fs.rm(target, { force: true });
        } else {
          await fs.mkdir(path.dirname(target), { recursive: true });
          await fs.writeFile(target, file.after, 'utf8');
        }
      }
      const merged: DemoPullRequest = {
        ...pull,
        state: 'merged',
        mergedAt: new Date().toISOString(),
      };
      await fs.writeFile(
        this.pullFile(repository, number),
        JSON.stringify(merged, null, 2),
      );
      return merged;
    } finally {
      this.merging.delete(key);
    }
  }

  /** Forgets every pull request of a repository (when it is seeded anew). */
  async clear(repository: string): Promise<void> {
    await fs.rm(this.pullsDir(repository), { recursive: true, force: true });
  }
}
