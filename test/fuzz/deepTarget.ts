/**
 * Fuzz targets: deep and long structures (deepStructures.ts). `deepjson` puts a JSON value nested 10^2 to
 * 10^5 levels into one of a tiny CLIP's config files and runs what the config target runs (loadModelFolder,
 * the tokenizer, the preprocessor). `deepgraph` gives a model-target seed graph an Identity chain of 10^2 to
 * 10^4 nodes or an If nested 10 to 10^4 subgraphs deep and runs what the model target runs (taps, surgery,
 * session, a run); `longchain` the same with chains of 10^4 to 10^5 nodes (seconds each: the long pass only).
 */
import { prepareConfigSeeds } from './configTarget';
import { deepenJsonFile, deepenModel, type GraphSizes } from './deepStructures';
import type { FuzzRunner, FuzzTarget } from './fuzzTarget';
import { prepareModelSeeds } from './modelTarget';
import type { FuzzRandom } from './random';

/** Config files with deeply nested values. */
export const deepJsonTarget: FuzzTarget = {
  name: 'deepjson',
  async prepare(): Promise<FuzzRunner> {
    const configs = await prepareConfigSeeds();
    return {
      async runCase(random: FuzzRandom, note): Promise<void> {
        const target = random.pick(configs.files);
        const deep = deepenJsonFile(configs.originals.get(target)!, random, [2, 5]);
        note(`${target}: ${deep.description}`);
        await configs.run(target, deep.bytes);
      },
      async dispose(): Promise<void> {
        configs.dispose();
      },
    };
  },
};

function graphTarget(name: string, sizes: GraphSizes): FuzzTarget {
  return {
    name,
    async prepare(): Promise<FuzzRunner> {
      const models = await prepareModelSeeds();
      return {
        async runCase(random: FuzzRandom, note): Promise<void> {
          const seed = random.pick(models.seeds);
          const deep = deepenModel(seed.bytes, random, sizes);
          note(`${seed.label}: ${deep.description}`);
          await models.run(seed, deep.bytes);
        },
        dispose: () => models.dispose(),
      };
    },
  };
}

/** Graphs with nested subgraphs or chains of up to 10^4 nodes. */
export const deepGraphTarget = graphTarget('deepgraph', { nesting: [1, 4], chain: [2, 4] });
/** Graphs with chains of 10^4 to 10^5 nodes. */
export const longChainTarget = graphTarget('longchain', { chain: [4, 5] });
