import { Scalar, parseAllDocuments, visit } from 'yaml';

/**
 * go-yaml v2's resolve table (kubectl and the API server parse with a fork
 * of it): plain scalars read as booleans, null, infinities, NaN or the merge
 * key.
 */
const GO_YAML_V2_WORDS = new Set([
  '',
  '~',
  'null',
  'Null',
  'NULL',
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'true',
  'True',
  'TRUE',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
  '<<',
]);

/** What Go's `strconv.ParseInt(s, 0, 64)` accepts, once underscores are gone. */
const GO_INT =
  /^[-+]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/;
/** go-yaml v2's `yamlStyleFloat`. */
const YAML_STYLE_FLOAT =
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** What Go's `strconv.ParseFloat` accepts of a scalar starting with a dot. */
const GO_FLOAT_FROM_DOT =
  /^\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?$/;
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;

/**
 * Whether go-yaml v2 reads a plain (unquoted) scalar as something other
 * than a string, following its `resolve`: the word table, then, for a
 * scalar starting with a sign or digit, a timestamp, a Go integer with the
 * underscores removed or a YAML-style float, and for one starting with a
 * dot, a Go float.
 */
export function goYamlV2ReadsAsNonString(plain: string): boolean {
  if (GO_YAML_V2_WORDS.has(plain)) return true;
  if (plain.startsWith('.')) return GO_FLOAT_FROM_DOT.test(plain);
  if (/^[-+0-9]/.test(plain)) {
    const digits = plain.replace(/_/g, '');
    return (
      TIMESTAMP.test(plain) ||
      GO_INT.test(digits) ||
      YAML_STYLE_FLOAT.test(digits)
    );
  }
  return false;
}

/** A YAML text as Kubernetes reads it. */
export interface KubernetesReading {
  /** Every document, read with the YAML 1.1 schema. */
  documents: unknown[];
  /** Parse errors and warnings. */
  problems: string[];
  /**
   * Plain scalars that YAML 1.1 reads as strings but go-yaml v2 would not:
   * there the two parsers disagree on what was written.
   */
  misread: string[];
}

/**
 * Reads a YAML text the way Kubernetes does: with the YAML 1.1 schema, and
 * lists the unquoted strings go-yaml v2 would read as something else.
 */
export function readAsKubernetes(text: string): KubernetesReading {
  const documents = parseAllDocuments(text, { version: '1.1' });
  if (!Array.isArray(documents)) {
    return { documents: [], problems: ['no documents'], misread: [] };
  }
  const problems: string[] = [];
  const misread: string[] = [];
  for (const document of documents) {
    problems.push(
      ...document.errors.map(e => e.message),
      ...document.warnings.map(w => w.message),
    );
    visit(document, {
      Scalar(_key, node) {
        const source = node.source ?? '';
        if (
          node.type === Scalar.PLAIN &&
          typeof node.value === 'string' &&
          goYamlV2ReadsAsNonString(source)
        ) {
          misread.push(source);
        }
      },
    });
  }
  return {
    documents: documents.map(d => d.toJS()),
    problems,
    misread,
  };
}
