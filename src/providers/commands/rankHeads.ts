/**
 * "Rank Attention Heads...": pick an image (or take the one right-clicked in the explorer), enter one text and,
 * where the model has several, the stream whose heads to remove; then every head, and every layer's heads, are
 * removed in turn (`mmlens heads`, docs/methods.md "Head ablation") under a cancellable progress notification, and
 * the layer x head grid of score drops opens in a panel.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { Architecture } from '../../shared/analysisResult';
import type { HeadStream } from '../../shared/headImportance';
import { showHeadsPanel } from '../analysisPanel';
import type { InferenceHost } from '../inferenceHost';
import { rankedPrompts } from '../promptTemplates';
import { runWithProgress } from './longRun';
import { pickImage } from './pickFile';

/** The command id, as contributed in package.json. */
export const RANK_HEADS_COMMAND = 'multimodalLens.rankHeads';

/** The streams whose heads each family can remove, the family's default first (as tasks/headImportance.ts picks it). */
const STREAMS: Partial<Record<Architecture, { stream: HeadStream; what: string }[]>> = {
  twoTower: [{ stream: 'vision', what: 'the image tower' }, { stream: 'text', what: 'the text tower' }],
  singleStream: [{ stream: 'joint', what: 'the joint layers' }],
  crossAttention: [
    { stream: 'cross', what: 'cross-attention from the text to the image' },
    { stream: 'vision', what: 'the image encoder' },
    { stream: 'text', what: "the text encoder's self-attention" },
  ],
};

/** Runs the command for `uri` or for an image the user picks. */
export async function rankHeads(host: InferenceHost, extensionUri: vscode.Uri, uri?: vscode.Uri): Promise<void> {
  const image = uri ?? (await pickImage('Rank Attention Heads'));
  if (!image) return;
  const text = (await vscode.window.showInputBox({
    title: 'The text whose score each removed head changes',
    value: (await rankedPrompts(host, image.fsPath, 1))[0] ?? '',
    validateInput: (value) => (value.trim().length === 0 ? 'Give a text to score the image with.' : undefined),
  }))?.trim();
  if (!text) return;
  const { family } = await host.get().describeModel(host.modelDir());
  const streams = STREAMS[family] ?? [];
  const picked = streams.length > 1
    ? await vscode.window.showQuickPick(streams.map((s) => ({ label: s.stream, description: s.what })), { title: 'Whose heads to remove' })
    : { label: streams[0]?.stream };
  if (!picked) return;
  const result = await runWithProgress(host.log, `ranking heads on ${basename(image.fsPath)}`, async (options) => {
    const out = await host.get().headImportance({ modelDir: host.modelDir(), image: image.fsPath, text, stream: picked.label as HeadStream | undefined }, options);
    host.observe(out.model);
    return out;
  });
  if (result) await showHeadsPanel(extensionUri, { result });
}
