import { CompoundEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { isMap, isScalar, parseAllDocuments } from 'yaml';

/** What retiring an entity does to its catalog file. */
export type CatalogRetirement = 'retired' | 'removed';

/** Long lines stay as written instead of folded at 80 columns. */
const UNFOLDED = { lineWidth: 0 };

const text = (value: unknown) =>
  isScalar(value) ? String(value.value) : undefined;

/**
 * A catalog file (one or more YAML documents) with the entity retired:
 * its `spec.lifecycle` set to `retired`, or its document removed. Comments
 * and the other documents stay as they were; removing the only document
 * leaves a comment saying so (a location's file stays readable, holding no
 * entity). An `InputError` naming the entities it holds when the entity
 * is not among them.
 */
export function retireCatalogEntity(
  source: string,
  entity: CompoundEntityRef,
  mode: CatalogRetirement,
): { text: string; changed: boolean } {
  const documents = parseAllDocuments(source);
  if (!Array.isArray(documents)) {
    throw new InputError('The catalog file holds no YAML document');
  }
  const found: string[] = [];
  const index = documents.findIndex(doc => {
    if (doc.errors.length > 0) {
      throw new InputError(
        `The catalog file is not valid YAML: ${doc.errors[0].message}`,
      );
    }
    const kind = text(doc.get('kind', true));
    const name = text(doc.getIn(['metadata', 'name'], true));
    const namespace =
      text(doc.getIn(['metadata', 'namespace'], true)) ?? 'default';
    if (kind && name) found.push(`${kind}:${namespace}/${name}`);
    return (
      kind?.toLocaleLowerCase('en-US') ===
        entity.kind.toLocaleLowerCase('en-US') &&
      name === entity.name &&
      namespace === entity.namespace
    );
  });
  if (index < 0) {
    throw new InputError(
      `The catalog file does not hold ${entity.kind}:${entity.namespace}/${
        entity.name
      }; it holds ${found.join(', ') || 'no entity'}`,
    );
  }
  const doc = documents[index];
  if (mode === 'removed') {
    const rest = documents.filter((_, i) => i !== index);
    if (rest.length === 0) {
      return {
        text: `# ${entity.kind}:${entity.namespace}/${entity.name} was retired: its entity was removed from the catalog.\n`,
        changed: true,
      };
    }
    // The first document left needs no `---` of its own.
    return {
      text: rest.map(d => d.toString(UNFOLDED)).join(''),
      changed: true,
    };
  }
  if (!isMap(doc.get('spec', true))) {
    throw new InputError(
      `${entity.kind}:${entity.namespace}/${entity.name} has no spec to set its lifecycle in`,
    );
  }
  const lifecycle = doc.getIn(['spec', 'lifecycle'], true);
  if (text(lifecycle) === 'retired') return { text: source, changed: false };
  if (isScalar(lifecycle) && lifecycle.range) {
    // Only the value is replaced: the rest of the file stays byte for byte,
    // so the request's diff is one line.
    const [start, end] = lifecycle.range;
    return {
      text: `${source.slice(0, start)}retired${source.slice(end)}`,
      changed: true,
    };
  }
  doc.setIn(['spec', 'lifecycle'], 'retired');
  return {
    text: documents.map(d => d.toString(UNFOLDED)).join(''),
    changed: true,
  };
}
