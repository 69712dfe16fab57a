// Applies the README's "Installing into an existing Backstage app" steps to
// a stock app made by @backstage/create-app (new frontend system), as an
// adopter would follow them; throws when a step the app needs is missing
// from the README, so the README cannot drift from what works.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const YAML = createRequire(join(root, 'package.json'))('yaml');

/** The fenced code blocks of a Markdown text: language and body. */
function codeBlocks(markdown) {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map(m => ({
    lang: m[1],
    body: m[2],
  }));
}

function section(markdown, heading) {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const level = heading.match(/^#+/)[0];
  const rest = markdown.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`^#{1,${level.length}} `, 'm'));
  return end < 0 ? rest : rest.slice(0, end);
}

function find(blocks, where, test) {
  const block = blocks.find(test);
  if (!block) throw new Error(`README step missing: ${where}`);
  return block;
}

const editJson = (path, edit) => {
  const value = JSON.parse(readFileSync(path, 'utf8'));
  edit(value);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
};

/** `yarn --cwd packages/x add a b` lines: the package folder and names. */
function yarnAdds(body) {
  return body
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map(line => line.trim().match(/^yarn --cwd (\S+) add (.+)$/))
    .filter(Boolean)
    .map(([, folder, names]) => ({ folder, names: names.split(/\s+/) }));
}

/** What `yarn add` would write: each named package of ours, at its version. */
function addDependencies(app, versions, { folder, names }, applied) {
  editJson(join(app, folder, 'package.json'), pkg => {
    for (const name of names) {
      if (!versions[name]) {
        throw new Error(
          `The README adds ${name}, which is not one of our packages`,
        );
      }
      pkg.dependencies[name] = `^${versions[name]}`;
      applied.push(`${folder}: dependency ${name}`);
    }
  });
}

/** The statements of a TypeScript block after its `// path` comment. */
function statementsFor(blocks, file, where) {
  const block = find(
    blocks,
    where,
    b => ['ts', 'tsx'].includes(b.lang) && b.body.startsWith(`// ${file}\n`),
  );
  return block.body.slice(`// ${file}\n`.length).trim();
}

/**
 * `versions`: our packages' versions by name, as the registry (here their
 * packed tarballs) would serve them.
 */
export function applyReadmeSteps({ readme, app, versions }) {
  const applied = [];
  const install = section(
    readme,
    '## Installing into an existing Backstage app',
  );

  // Backend: the packages and the backend.add lines.
  const backend = codeBlocks(section(install, '### Backend'));
  const backendAdds = yarnAdds(
    find(backend, 'Backend: yarn add', b => b.lang === 'sh').body,
  );
  if (!backendAdds.some(a => a.folder === 'packages/backend')) {
    throw new Error(
      'README step missing: Backend: yarn --cwd packages/backend add',
    );
  }
  backendAdds.forEach(add => addDependencies(app, versions, add, applied));
  const index = join(app, 'packages/backend/src/index.ts');
  const source = readFileSync(index, 'utf8');
  if (!source.includes('\nbackend.start();')) {
    throw new Error(`${index} has no backend.start(): not a stock backend`);
  }
  writeFileSync(
    index,
    source.replace(
      '\nbackend.start();',
      `\n${statementsFor(
        backend,
        'packages/backend/src/index.ts',
        'Backend: backend.add',
      )}\n\nbackend.start();`,
    ),
  );
  applied.push('packages/backend/src/index.ts: backend.add lines');

  // Frontend, new frontend system: the package; discovered with app.packages: all.
  const frontend = codeBlocks(
    section(
      install,
      '### Frontend, new frontend system (`@backstage/frontend-defaults`, the default of new apps)',
    ),
  );
  yarnAdds(
    find(frontend, 'Frontend: yarn add', b => b.lang === 'sh').body,
  ).forEach(add => addDependencies(app, versions, add, applied));
  const appConfigPath = join(app, 'app-config.yaml');
  const appConfig = YAML.parseDocument(readFileSync(appConfigPath, 'utf8'));
  if (appConfig.getIn(['app', 'packages']) === 'all') {
    applied.push('packages/app: discovered (app.packages: all), nothing else');
  } else {
    const features = statementsFor(
      frontend,
      'packages/app/src/App.tsx',
      'Frontend: features',
    );
    throw new Error(
      `the app does not discover packages; the README says to add:\n${features}\n(not automated here)`,
    );
  }

  // Templates: the catalog locations of the shipped templates.
  const templates = codeBlocks(
    section(install, '### Scaffolder actions and templates'),
  );
  const locations = YAML.parse(
    find(
      templates,
      'Templates: catalog locations',
      b => b.lang === 'yaml' && b.body.includes('catalog:'),
    ).body,
  ).catalog.locations;
  for (const location of locations) {
    appConfig.addIn(['catalog', 'locations'], location);
    applied.push(`app-config.yaml: catalog location ${location.target}`);
  }
  writeFileSync(appConfigPath, appConfig.toString());
  return applied;
}
