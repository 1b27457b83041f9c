/**
 * Fuzz target: a generative VLM folder's JSON files (config.json, preprocessor_config.json, processor_config.json,
 * tokenizer.json, tokenizer_config.json with its chat template, generation_config.json) mutated one at a time, then
 * a short generation through the service: the readers, the Jinja template, the prompt's expansion, the image
 * placement and the loop. Seeds: the tiny LLaVA and Idefics3 fixtures, copied to a temporary folder.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceService } from '../../src/inference/service';
import type { FuzzRunner, FuzzTarget } from './fuzzTarget';
import { mutateJsonText } from './jsonMutations';
import type { FuzzRandom } from './random';

const FILES = ['config.json', 'preprocessor_config.json', 'processor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json'];
const FIXTURES = ['tiny-llava', 'tiny-idefics3'];
const PROMPTS = ['Describe the image.', 'what colour is <image> ?', '猫 😀 \u0000 <fake_token_around_image>'];

/** The VLM config target. */
export const vlmConfigTarget: FuzzTarget = {
  name: 'vlmconfig',
  async prepare(): Promise<FuzzRunner> {
    const work = mkdtempSync(join(tmpdir(), 'mmlens-fuzz-vlm-'));
    const seeds = FIXTURES.map((name) => {
      const dir = join(work, name);
      cpSync(join(__dirname, '..', 'fixtures', name), dir, { recursive: true });
      return { name, dir, originals: new Map(FILES.map((file) => [file, readFileSync(join(dir, file), 'utf8')])) };
    });
    return {
      async runCase(random: FuzzRandom, note): Promise<void> {
        const seed = random.pick(seeds);
        const target = random.pick(FILES);
        const mutated = mutateJsonText(seed.originals.get(target)!, random);
        const prompt = random.pick(PROMPTS);
        note(`${seed.name}/${target}: ${mutated.description}; prompt ${JSON.stringify(prompt)}`);
        for (const [file, text] of seed.originals) writeFileSync(join(seed.dir, file), file === target ? mutated.bytes : text);
        const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: seed.dir });
        try {
          await service.generate({ images: [join(seed.dir, 'edges_51x37.png')], prompt, maxNewTokens: 2 });
        } finally {
          await service.dispose();
        }
      },
      async dispose(): Promise<void> {
        rmSync(work, { recursive: true, force: true });
      },
    };
  },
};
