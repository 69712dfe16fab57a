import { Document, Scalar, visit } from 'yaml';

/**
 * Plain scalars that go-yaml v2, the parser behind kubectl and the API
 * server, reads as numbers although YAML 1.1 does not: Go integer literals
 * (`0o17`, `0B1`, `0X1F`), numbers with underscores anywhere (`1_`) and Go
 * floats (`.5_0`). Over-approximated: quoting a string never changes it.
 */
const GO_NUMBER =
  /^[-+]?(?:0[bBoOxX]|[0-9.][0-9a-fA-F._]*(?:[eEpP][-+]?[0-9_]*)?$)/;

/** The YAML 1.1 merge and value keys, special to some parsers. */
const YAML_11_KEYS = new Set(['<<', '=']);
const MERGE_TAG = 'tag:yaml.org,2002:merge';

/**
 * Writes an object as a YAML document that Kubernetes reads back as the
 * same object. Kubernetes parses YAML 1.1, where `on`, `no`, `y`, `~`,
 * `017`, `1:20` or `1_000` are booleans, null or numbers: every string that
 * YAML 1.1, or go-yaml's Go number syntax, would read otherwise is quoted.
 * The document has no `%YAML` directive and long lines are not folded, so
 * PromQL stays on one line.
 *
 * @public
 */
export function stringifyKubernetesYaml(object: unknown): string {
  const document = new Document(object, {
    version: '1.1',
    // Kubernetes objects have no merge keys: a string `<<` is a string.
    customTags: tags =>
      tags.filter(t => typeof t === 'string' || t.tag !== MERGE_TAG),
  });
  visit(document, {
    Scalar(_key, node) {
      if (
        typeof node.value === 'string' &&
        (GO_NUMBER.test(node.value) || YAML_11_KEYS.has(node.value))
      ) {
        node.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
  return document.toString({ lineWidth: 0 });
}
