import fs from 'fs/promises';
import path from 'path';
import { DemoPullRequests } from './demoPullRequests';
import { isRepositoryName, repositoryDir } from './repositoryPaths';

/**
 * Copies each repository of the seed folder into the repositories folder,
 * replacing what a previous run left there (its merged changes and pull
 * requests too), so the demo starts as its database does: afresh. Returns
 * the names seeded. Folders that are not repository names are refused.
 */
export async function seedRepositories(
  seedDir: string,
  repositoriesDir: string,
  pullRequests: DemoPullRequests,
): Promise<string[]> {
  const entries = await fs.readdir(seedDir, { withFileTypes: true });
  const names = entries
    .filter(e => e.isDirectory())
    .map(e => e.name)
    .sort();
  const bad = names.filter(name => !isRepositoryName(name));
  if (bad.length > 0) {
    throw new Error(
      `Seed repositories must be named by DNS labels, got ${bad.join(
        ', ',
      )} in ${seedDir}`,
    );
  }
  await fs.mkdir(repositoriesDir, { recursive: true });
  for (const name of names) {
    const target = repositoryDir(repositoriesDir, name);
    await fs.rm(target, { recursive: true, force: true });
    await fs.cp(path.join(seedDir, name), target, { recursive: true });
    await pullRequests.clear(name);
  }
  return names;
}
