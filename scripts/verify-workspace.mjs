// Workspace invariants that no unit test sees: one version of each
// @backstage/* package in yarn.lock, and a built dist for every package
// (including the frontend's /alpha entry), each with a changelog and a
// README. Run after `yarn build`.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const problems = [];

const versions = new Map();
for (const block of readFileSync(join(root, 'yarn.lock'), 'utf8').split(
  '\n\n',
)) {
  const name = block.match(/^"?(@backstage\/[^@"]+)@/m)?.[1];
  const version = block.match(/^ {2}version: (.+)$/m)?.[1];
  if (name && version) {
    versions.set(name, new Set([...(versions.get(name) ?? []), version]));
  }
}
for (const [name, found] of versions) {
  if (found.size > 1) {
    problems.push(
      `${name} is locked in ${found.size} versions: ${[...found].join(', ')}`,
    );
  }
}

const expected = {
  'frontend-plugin': [
    'dist/index.d.ts',
    'dist/index.esm.js',
    'dist/alpha.d.ts',
    'dist/alpha.esm.js',
  ],
  'common-library': [
    'dist/index.d.ts',
    'dist/index.cjs.js',
    'dist/index.esm.js',
  ],
  default: ['dist/index.d.ts', 'dist/index.cjs.js'],
};
for (const dir of readdirSync(join(root, 'plugins'))) {
  const pkg = JSON.parse(
    readFileSync(join(root, 'plugins', dir, 'package.json'), 'utf8'),
  );
  for (const file of expected[pkg.backstage.role] ?? expected.default) {
    if (!existsSync(join(root, 'plugins', dir, file))) {
      problems.push(`${pkg.name} has no ${file} after the build`);
    }
  }
  // Fit to publish: a changelog and a README, what is published listed.
  for (const file of ['CHANGELOG.md', 'README.md']) {
    if (!existsSync(join(root, 'plugins', dir, file))) {
      problems.push(`${pkg.name} has no ${file}`);
    }
  }
  if (!pkg.files?.includes('dist') || pkg.publishConfig?.access !== 'public') {
    problems.push(
      `${pkg.name} must publish dist (files) with publishConfig.access public`,
    );
  }
}

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(
  `${versions.size} @backstage packages, one version each; every package built, with its changelog and README`,
);
