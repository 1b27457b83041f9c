/**
 * The one place that decides which family a model folder belongs to. Families are tried in order and the
 * first that claims the folder opens it; adding a family is one folder under families/ and one line here.
 */
import { relative } from 'node:path';
import { badModel } from '../../core/errors';
import type { ModelFolder } from '../model/modelFolder';
import type { SessionCache } from '../runtime/sessions';
import type { ModelAdapter, ModelFamily } from './adapter';
import { crossAttentionFamily } from './crossAttention/family';
import { generativeFamily } from './generative/family';
import { singleStreamFamily } from './singleStream/family';
import { twoTowerFamily } from './twoTower/family';

/** Every family, most specific first (a folder with a token layout and both towers is single-stream). */
export const MODEL_FAMILIES: readonly ModelFamily[] = [singleStreamFamily, twoTowerFamily, crossAttentionFamily, generativeFamily];

/** The family of `folder`, or a badModel error naming what the folder holds and every supported layout. */
export function chooseFamily(folder: ModelFolder): ModelFamily {
  const family = MODEL_FAMILIES.find((f) => f.claims(folder));
  if (family) return family;
  const graphs = Object.values(folder.files).map((file) => relative(folder.dir, file)).join(', ') || 'no graphs';
  const config = `model_type "${folder.config.modelType}"${folder.config.tokenLayout ? ' and a token_layout' : ', no token_layout'}`;
  throw badModel(
    folder.dir,
    `holds ${graphs} with config.json's ${config}, which no supported model family takes`,
    `Supported layouts: ${MODEL_FAMILIES.map((f) => f.layout).join('; ')}.`,
  );
}

/** Opens `folder` with the adapter of its family. */
export function openAdapter(folder: ModelFolder, sessions: SessionCache): Promise<ModelAdapter> {
  return chooseFamily(folder).open(folder, sessions);
}
