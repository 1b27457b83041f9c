/**
 * The token layout of a single-stream model: where the text and image tokens sit in the one joint sequence.
 * Our own single-stream exports write it into config.json as `token_layout` (snake_case, like every other HF
 * config field); `mmlens.token_layout` is accepted too, for configs that keep our additions in one namespace.
 */
import { jointLength, type TokenLayout } from '../../core/tokenLayout';
import { FieldReader, type JsonObject } from './configFields';

/** Reads `token_layout` (or `mmlens.token_layout`) from config.json, or undefined for a two-tower model. */
export function parseTokenLayout(config: JsonObject, reader: FieldReader): TokenLayout | undefined {
  let path = 'token_layout';
  let raw = reader.object(config, 'token_layout');
  const ns = raw ? undefined : reader.object(config, 'mmlens');
  if (ns) {
    path = 'mmlens.token_layout';
    raw = reader.object(ns, 'token_layout', path);
  }
  if (!raw) return undefined;

  const need = (key: string, rule: 'positiveInt' | 'nonNegativeInt'): number => {
    const value = reader.number(raw, key, rule, `${path}.${key}`);
    if (value === undefined) throw reader.invalid(`${path}.${key}`, 'is missing');
    return value;
  };
  const layout: TokenLayout = {
    textStart: need('text_start', 'nonNegativeInt'),
    textEnd: need('text_end', 'positiveInt'),
    imageStart: need('image_start', 'nonNegativeInt'),
    imageTokens: need('image_tokens', 'positiveInt'),
    rows: need('rows', 'positiveInt'),
    cols: need('cols', 'positiveInt'),
  };
  const clsIndex = reader.number(raw, 'cls_index', 'nonNegativeInt', `${path}.cls_index`);
  if (clsIndex !== undefined) layout.clsIndex = clsIndex;
  // null and absent both mean "no image CLS token", as the Python exports write None.
  const imageCls = reader.number(raw, 'image_cls', 'nonNegativeInt', `${path}.image_cls`);
  if (imageCls !== undefined) layout.imageCls = imageCls;
  checkLayout(layout, path, reader);
  return layout;
}

function checkLayout(layout: TokenLayout, path: string, reader: FieldReader): void {
  if (layout.textEnd <= layout.textStart) {
    throw reader.invalid(`${path}.text_end`, `(${layout.textEnd}) must be greater than text_start (${layout.textStart})`);
  }
  if (layout.imageCls !== undefined && layout.imageCls !== layout.imageStart) {
    throw reader.invalid(`${path}.image_cls`, `(${layout.imageCls}) must be the first image token, image_start (${layout.imageStart}), since the patches follow it`);
  }
  const cls = layout.imageCls !== undefined ? 1 : 0;
  if (layout.rows * layout.cols + cls > layout.imageTokens) {
    const what = cls ? ' and an image CLS token' : '';
    throw reader.invalid(path, `has a ${layout.rows}x${layout.cols} grid${what}, more than its ${layout.imageTokens} image_tokens`);
  }
  const imageEnd = layout.imageStart + layout.imageTokens;
  if (layout.textStart < imageEnd && layout.imageStart < layout.textEnd) {
    throw reader.invalid(path, 'has overlapping text and image token ranges');
  }
  if (layout.clsIndex !== undefined && layout.clsIndex >= jointLength(layout)) {
    throw reader.invalid(`${path}.cls_index`, `(${layout.clsIndex}) is outside the ${jointLength(layout)} tokens of the joint sequence`);
  }
}
