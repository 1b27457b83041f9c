/**
 * Mutations of a JSON config file, at two levels: structural (a value replaced by one of another type or on
 * the edge of its range, a key removed or renamed, an object emptied) and textual (the serialised file's
 * bytes cut or flipped, as an interrupted save leaves it).
 */
import { mutateBytes, type Mutated } from './byteMutations';
import type { FuzzRandom } from './random';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values that break assumptions about type, sign, size or integrality. */
const oddValues: Json[] = [
  null, true, false, 0, -1, 1, 0.5, -0.5, 3, 224, 1e9, 2 ** 31, -(2 ** 31), 2 ** 53 + 2, 1e308, -1e308, 5e-324,
  '', 'x', '224', 'bicubic', '💥', '\u0000', [], [0], [1, 2], [0.5, 0.5, 0.5], [-1, -1, -1], [null], {}, { shortest_edge: 0 },
  { height: 0, width: 5 }, { height: 1e9, width: 1e9 }, { a: { b: [] } },
];

/** Every [container, key] pair in the tree, so a mutation can land anywhere. */
function slots(value: Json, out: [Json[] | Record<string, Json>, string | number][] = []): [Json[] | Record<string, Json>, string | number][] {
  if (Array.isArray(value)) value.forEach((item, i) => { out.push([value, i]); slots(item, out); });
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push([value, key]);
      slots(item, out);
    }
  }
  return out;
}

function mutateStructure(root: Json, random: FuzzRandom): { root: Json; description: string } {
  const all = slots(root);
  if (all.length === 0 || random.chance(0.03)) {
    const replacement = structuredClone(random.pick(oddValues));
    return { root: replacement, description: `whole file -> ${JSON.stringify(replacement)}` };
  }
  const [container, key] = random.pick(all);
  const choice = random.int(4);
  if (choice === 0 && !Array.isArray(container)) {
    delete container[key as string];
    return { root, description: `${key} removed` };
  }
  if (choice === 1 && !Array.isArray(container)) {
    const value = container[key as string];
    delete container[key as string];
    container[`${key}_renamed`] = value;
    return { root, description: `${key} renamed` };
  }
  // A clone: a shared object placed twice in the tree would make later edits cyclic, and edit oddValues itself.
  const replacement = structuredClone(random.pick(oddValues));
  (container as Record<string | number, Json>)[key] = replacement;
  return { root, description: `${key} -> ${JSON.stringify(replacement)}` };
}

/** One to three structural edits (70%) or one textual mutation (30%) of the JSON file `text`. */
export function mutateJsonText(text: string, random: FuzzRandom): Mutated {
  if (random.chance(0.3)) {
    const mutated = mutateBytes(new TextEncoder().encode(text), random);
    return { bytes: mutated.bytes, description: `text: ${mutated.description}` };
  }
  let root = JSON.parse(text) as Json;
  const steps: string[] = [];
  for (let i = 1 + random.int(3); i > 0; i--) {
    const step = mutateStructure(root, random);
    root = step.root;
    steps.push(step.description);
  }
  return { bytes: new TextEncoder().encode(JSON.stringify(root)), description: steps.join('; ') };
}
