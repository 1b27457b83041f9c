/** The single-stream family as the registry lists it: one joint graph over text and image tokens (ViLT-like). */
import type { ModelFamily } from '../adapter';
import { SingleStreamModel } from './singleStreamModel';

/** Folders with one joint graph whose config.json says where its text and image tokens sit. */
export const singleStreamFamily: ModelFamily = {
  name: 'singleStream',
  layout: 'single stream: onnx/model.onnx with a "token_layout" in config.json (see docs/cli.md)',
  claims: (folder) => folder.files.joint !== undefined && folder.config.tokenLayout !== undefined,
  open: (folder, sessions) => SingleStreamModel.open(folder, sessions),
};
