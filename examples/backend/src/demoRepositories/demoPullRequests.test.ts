import { createMockDirectory } from '@backstage/backend-test-utils';
import { InputError, NotFoundError } from '@backstage/errors';
import fs from 'fs/promises';
import { join } from 'path';
import { DemoPullRequests } from './demoPullRequests';
import { demoRepositoryOfUrl } from './publishDemoPullRequestAction';
import { diffOf, pullRequestPage } from './pullRequestPage';
import { seedRepositories } from './seedRepositories';

const BASE = 'http://localhost:7007/api/demo-repositories';

describe('demo pull requests', () => {
  const dir = createMockDirectory();
  const pulls = () => new DemoPullRequests(join(dir.path, 'repositories'));

  beforeEach(() =>
    dir.setContent({
      'repositories/shop/catalog-info.yaml': 'lifecycle: deprecated\n',
      'repositories/shop/docs/old.md': 'old\n',
    }),
  );

  it('numbers requests per repository and keeps only the files that change', async () => {
    const first = await pulls().create({
      repository: 'shop',
      title: 'One',
      description: '',
      branch: 'one',
      files: new Map<string, string | null>([
        ['catalog-info.yaml', 'lifecycle: retired\n'],
        ['docs/old.md', 'old\n'],
        ['docs/new.md', 'new\n'],
      ]),
    });
    expect(first.number).toBe(1);
    expect(first.files).toEqual([
      {
        path: 'catalog-info.yaml',
        before: 'lifecycle: deprecated\n',
        after: 'lifecycle: retired\n',
      },
      { path: 'docs/new.md', before: null, after: 'new\n' },
    ]);
    const second = await pulls().create({
      repository: 'shop',
      title: 'Two',
      description: '',
      branch: 'two',
      files: new Map([['docs/old.md', null]]),
    });
    expect(second.number).toBe(2);

    // Merged: added, changed and deleted files as proposed.
    await pulls().merge('shop', 1);
    await pulls().merge('shop', 2);
    expect(dir.content({ path: 'repositories/shop' })).toEqual({
      'catalog-info.yaml': 'lifecycle: retired\n',
      docs: { 'new.md': 'new\n' },
    });
  });

  it('refuses a request that changes nothing, or names no repository', async () => {
    await expect(
      pulls().create({
        repository: 'shop',
        title: 'Nothing',
        description: '',
        branch: 'nothing',
        files: new Map([['docs/old.md', 'old\n']]),
      }),
    ).rejects.toThrow(InputError);
    await expect(
      pulls().create({
        repository: 'missing',
        title: 'Nothing',
        description: '',
        branch: 'nothing',
        files: new Map([['a', 'b']]),
      }),
    ).rejects.toThrow(NotFoundError);
    await expect(
      pulls().create({
        repository: 'shop',
        title: 'Out',
        description: '',
        branch: 'out',
        files: new Map([['../../escape.txt', 'x']]),
      }),
    ).rejects.toThrow(/outside/);
    await expect(pulls().merge('shop', 1)).rejects.toThrow(NotFoundError);
  });

  it('maps only files of the demo repositories to a repository and folder', () => {
    expect(demoRepositoryOfUrl(BASE, `${BASE}/shop/catalog-info.yaml`)).toEqual(
      { repository: 'shop', folder: '' },
    );
    expect(demoRepositoryOfUrl(BASE, `${BASE}/shop/a/b/c.yaml`)).toEqual({
      repository: 'shop',
      folder: 'a/b',
    });
    for (const url of [
      'https://github.com/acme/shop/blob/main/catalog-info.yaml',
      'http://localhost:7008/api/demo-repositories/shop/catalog-info.yaml',
      `${BASE}/shop/`,
      `${BASE}/-/pulls/shop/1`,
      `${BASE}/..%2Fetc/passwd`,
      'not a url',
    ]) {
      expect(() => demoRepositoryOfUrl(BASE, url)).toThrow(InputError);
    }
  });

  it('shows a request with every value escaped, and its change line by line', () => {
    const file = {
      path: 'catalog-info.yaml',
      before: 'a\nb\nc\n',
      after: 'a\nB\nc\n',
    };
    expect(diffOf(file)).toEqual([
      { mark: ' ', line: 'a' },
      { mark: '-', line: 'b' },
      { mark: '+', line: 'B' },
      { mark: ' ', line: 'c' },
    ]);
    const page = pullRequestPage({
      repository: 'shop',
      number: 3,
      title: '<script>alert(1)</script>',
      description: '"quoted" & <b>bold</b>',
      branch: "it's",
      createdAt: '2026-12-06T00:00:00.000Z',
      state: 'open',
      files: [{ ...file, after: 'a\n<img src=x onerror=alert(1)>\nc\n' }],
    });
    expect(page).not.toMatch(/<script|<b>|<img/);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(page).toContain('branch it&#39;s');
    expect(page).toContain('<form method="post" action="3/merge">');
  });

  it('seeds repositories afresh, forgetting their requests', async () => {
    const seed = join(dir.path, 'seed');
    await fs.mkdir(join(seed, 'shop'), { recursive: true });
    await fs.writeFile(join(seed, 'shop/catalog-info.yaml'), 'seeded\n');
    await pulls().create({
      repository: 'shop',
      title: 'One',
      description: '',
      branch: 'one',
      files: new Map([['catalog-info.yaml', 'changed\n']]),
    });
    await expect(
      seedRepositories(seed, join(dir.path, 'repositories'), pulls()),
    ).resolves.toEqual(['shop']);
    expect(dir.content({ path: 'repositories' })).toEqual({
      '.pulls': {},
      shop: { 'catalog-info.yaml': 'seeded\n' },
    });
    await expect(pulls().get('shop', 1)).resolves.toBeUndefined();

    await fs.mkdir(join(seed, 'Not_A_Label'));
    await expect(
      seedRepositories(seed, join(dir.path, 'repositories'), pulls()),
    ).rejects.toThrow('got Not_A_Label');
  });
});
