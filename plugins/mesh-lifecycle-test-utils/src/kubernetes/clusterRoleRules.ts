import { AccessRule } from './auth';
import { JsonObject, JsonValue } from './json';
import { readFileSync } from 'node:fs';
import { parseKubernetesManifests } from './manifests';

const strings = (value: JsonValue | undefined, what: string): string[] => {
  if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) {
    throw new Error(`${what} is not a list of strings`);
  }
  return value as string[];
};

/**
 * The rules of ClusterRoles in a manifest file, as the emulator's token
 * rules: run your plugins against the emulator with exactly the rights a
 * cluster will give them (`tokens: { t: { user, rules } }`). Rules with
 * `resourceNames` or `nonResourceURLs` are refused, as the emulator cannot
 * tell them.
 *
 * @public
 */
export function clusterRoleRules(
  file: string,
  ...names: string[]
): AccessRule[] {
  const roles = new Map<string, JsonObject>();
  for (const object of parseKubernetesManifests(
    readFileSync(file, 'utf8'),
    file,
  )) {
    const metadata = object.metadata as JsonObject | undefined;
    if (object.kind === 'ClusterRole' && typeof metadata?.name === 'string') {
      roles.set(metadata.name, object);
    }
  }
  return names.flatMap(name => {
    const role = roles.get(name);
    if (!role) throw new Error(`${file} has no ClusterRole ${name}`);
    const rules = role.rules;
    if (!Array.isArray(rules))
      throw new Error(`ClusterRole ${name} has no rules`);
    return rules.map((rule, i): AccessRule => {
      const where = `ClusterRole ${name} rule ${i}`;
      if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
        throw new Error(`${where} is not an object`);
      }
      if (rule.resourceNames || rule.nonResourceURLs) {
        throw new Error(
          `${where}: resourceNames and nonResourceURLs are not emulated`,
        );
      }
      return {
        apiGroups: strings(rule.apiGroups, `${where} apiGroups`),
        resources: strings(rule.resources, `${where} resources`),
        verbs: strings(rule.verbs, `${where} verbs`),
      };
    });
  });
}
