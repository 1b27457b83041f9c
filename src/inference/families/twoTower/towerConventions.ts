/**
 * What CLIP and SigLIP towers do differently, read from config.json's model_type. CLIP's towers
 * (CLIP*ModelWithProjection, as transformers.js and Optimum export them) return `image_embeds` / `text_embeds`.
 * SigLIP has no projection classes: SiglipVisionModel / SiglipTextModel return `pooler_output`, which is the
 * embedding itself (the vision tower's attention-pooling head, the text tower's last token through its head),
 * and SigLIP reads texts padded to max_length, as it was trained (HF's model card says `padding="max_length"`;
 * transformers.js's zero-shot pipeline pads SigLIP's texts the same way).
 */

/** The output names and text padding of one two-tower family. */
export interface TowerConventions {
  /** The embeddings outputs, the towers' name first, then the one-graph export's. */
  imageEmbeds: string[];
  textEmbeds: string[];
  /** Pad every text to the model's max length (else to the longest text of the batch). */
  padToMaxLength: boolean;
  /** How to export towers that have these outputs, for the error when a graph lacks one. */
  exportAdvice: string;
  /** Why the family has no per-patch joint embeddings, when that is by design (no graph is searched for a head then). */
  noProjectionHead?: string;
}

const CLIP: TowerConventions = {
  imageEmbeds: ['image_embeds'],
  textEmbeds: ['text_embeds'],
  padToMaxLength: false,
  exportAdvice: 'Export the tower with its projection (CLIPVisionModelWithProjection / CLIPTextModelWithProjection), as transformers.js and Optimum do.',
};

const SIGLIP: TowerConventions = {
  imageEmbeds: ['pooler_output', 'image_embeds'],
  textEmbeds: ['pooler_output', 'text_embeds'],
  padToMaxLength: true,
  exportAdvice: 'Export SiglipVisionModel / SiglipTextModel with their pooler_output, as transformers.js does.',
  noProjectionHead:
    'SigLIP pools the patch tokens with an attention head (a learned query, then LayerNorm and MLP), not a per-token projection, ' +
    'so single patch tokens have no place in the joint space; the attention-pooling head map shows where the image embedding looks',
};

/** The conventions of config.json's `model_type`; anything but SigLIP reads as CLIP. */
export function towerConventions(modelType: string): TowerConventions {
  return modelType === 'siglip' ? SIGLIP : CLIP;
}
