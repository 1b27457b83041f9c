/**
 * The text side's attention section: the head view and the model view (webview/draw/headView.ts, modelView.ts)
 * of one text at a time, for a two-tower model's text tower, a cross-attention matcher's text encoder (with its
 * cross-attention's lines onto the image), or one image-text pair's text tokens in a single-stream model's joint
 * sequence, with their lines onto the image. Rows are read from the page's packed
 * attention as the views ask for them; a panel whose page lacks a text token's rows fetches them first.
 */
import type { AnalysisResult } from '../src/shared/analysisResult';
import type { PackedAttention } from '../src/shared/packedAttention';
import { AttentionRows } from './attentionRows';
import { baseName, el, labelledSelect } from './draw/dom';
import { drawHeadView, type AttentionSource } from './draw/headView';
import { drawModelView } from './draw/modelView';
import type { AnalysisActions } from './occlusionControls';

/** What one item choice draws: the source of its rows and what it is called. */
interface Item {
  label: string;
  source: AttentionSource;
}

/** The section, or undefined when the page holds neither a text tower's attention nor a joint sequence's. */
export function textAttentionSection(result: AnalysisResult, images: string[], packed: PackedAttention | undefined, actions?: AnalysisActions): HTMLElement | undefined {
  const layout = result.model.tokenLayout;
  const joint = packed?.tower === 'joint' && layout !== undefined;
  const tower = packed?.text ?? (joint ? packed.attention : undefined);
  if (!tower || tower.layers === 0 || result.texts.length === 0) return undefined;
  const rows = new AttentionRows(tower);
  // A cross-attention matcher's text looks at the image through separate rows over the image keys.
  const cross = !joint && packed?.cross ? new AttentionRows(packed.cross) : undefined;
  const texts = result.texts.length;
  const imageName = (i: number) => baseName(result.images[i]?.path ?? `image ${i}`);
  const items: Item[] = Array.from({ length: tower.items }, (_, item) => {
    // Items are the texts, or image-text pairs i x texts + j (a joint graph; a matcher's text encoder sees the image).
    const pairs = joint || tower.items !== texts;
    const text = result.texts[item % texts];
    const image = Math.floor(item / texts);
    const label = pairs ? `${imageName(image)} x "${text.text}"` : `"${text.text}"`;
    const start = joint ? layout.textStart : 0;
    const slots = joint ? layout.textEnd - layout.textStart : tower.tokens;
    const tokens = text.tokens.slice(0, slots).map((token, k) => ({ label: token, position: start + k }));
    if (joint && layout.imageCls !== null) tokens.push({ label: '[image CLS]', position: layout.imageCls });
    // Where the image's patches are keys: the joint sequence's own rows, or the matcher's cross-attention rows.
    const keys = joint
      ? { alt: 'its patches as keys', firstPatch: layout.firstPatch }
      : cross && { alt: 'its patches as cross-attention keys', firstPatch: cross.packed.patchStart, row: (layer: number, head: number, query: number) => cross.row(layer, item, head, query) };
    const source: AttentionSource = {
      layers: tower.layers,
      heads: tower.heads,
      tokens,
      row: (layer, head, query) => rows.row(layer, item, head, query),
      ...(keys && images[image] ? { image: { ...keys, url: images[image], alt: `${imageName(image)}, ${keys.alt}`, rows: result.grid.rows, cols: result.grid.cols } } : {}),
    };
    return { label, source };
  });

  const element = el('section', 'text-attention');
  element.append(el('h2', undefined, joint ? 'Text tokens in the joint sequence: head view and model view' : 'Text attention: head view and model view'));
  element.append(el('p', 'note', joint
    ? 'Each text token\'s attention in the joint graph: lines to the text tokens (right column) and, for the token in focus, onto the image\'s patches. Where the patches attend is the head grid\'s enlarged head.'
    : cross
      ? 'The text encoder\'s self-attention among each text\'s real tokens (lines to the right column) and, for the token in focus, its cross-attention onto the image\'s patches in the same layer.'
      : 'The text tower\'s self-attention among each text\'s real tokens; attention a token pays to padding draws no line.'));
  const status = el('p', 'note text-attention-status');
  status.setAttribute('role', 'status');
  const body = el('div', 'text-attention-body');
  let latest = 0;
  const show = async (index: number) => {
    latest = index;
    const item = items[index];
    const missing = item.source.tokens.map((t) => t.position).filter((q) => !rows.hasRows(index, q));
    if (missing.length > 0 && actions?.attentionRows) {
      status.textContent = `Fetching the attention of ${missing.length} tokens...`;
      try {
        for (const query of missing) {
          const reply = await actions.attentionRows(index, query);
          if (!rows.addRows(index, query, reply.rows)) throw new Error('the reply does not have one row per layer and head');
        }
      } catch (error) {
        if (latest === index) status.textContent = `Could not fetch the attention: ${(error as Error).message}`;
        return;
      }
      if (latest !== index) return;
    }
    status.textContent = missing.length > 0 && !actions?.attentionRows
      ? 'This page holds the first token\'s rows only, so only its lines are drawn; write the report with --report-attention full for every token\'s.'
      : '';
    const headView = drawHeadView(item.source, item.label);
    const modelView = drawModelView(item.source, item.label, (layer, head) => {
      headView.show(layer, head);
      headView.element.scrollIntoView({ block: 'nearest' });
    });
    const modelNote = el('p', 'note', `Model view: every layer (rows) and head (columns), lines with opacity = weight${joint ? ', among the text tokens only' : ''}; select one to show it alone in the head view.`);
    body.replaceChildren(el('h3', undefined, 'Head view'), headView.element, el('h3', undefined, 'Model view'), modelNote, modelView);
  };
  if (items.length > 1) element.append(labelledSelect(joint ? 'Pair' : 'Text', items.map((item, i) => ({ value: String(i), label: item.label })), '0', (v) => void show(Number(v))).element);
  element.append(status, body);
  void show(0);
  return element;
}
