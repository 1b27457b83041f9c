/**
 * The Markdown of a hover: the key facts first (the model and provider, the command link to open the image in the
 * Alignment Explorer, the caption's score, the top labels; a generative model's description and most
 * image-grounded word), so they show without scrolling in VS Code's hover box of about 250 px; then the overlays as
 * images and their legend; the notices last. Every file name, caption, label
 * and notice goes through escapeMarkdown; the only links are the data: images and the command link built here.
 */
import { basename } from 'node:path';
import type { HoverPreview } from './renderPreview';
import { commandUri, escapeMarkdown } from './markdownText';

/** The command the hover links to; its one argument is the image's absolute file path, a string. */
export const ADD_TO_EXPLORER_COMMAND = 'multimodalLens.addToExplorer';

/** The commands a hover's MarkdownString may run (its `isTrusted.enabledCommands`). */
export const HOVER_COMMANDS = [ADD_TO_EXPLORER_COMMAND, 'multimodalLens.analyzeImage'];

/** VS Code cuts hover Markdown longer than 100,000 characters; the images must leave room for the text and the link. */
export const MAX_IMAGE_CHARS = 90_000;

const percent = (p: number) => `${(p * 100).toFixed(1)}%`;

/** The hover for a rendered preview of `imagePath` (with its caption, when the reference has one). */
export function previewMarkdown(imagePath: string, caption: string | undefined, preview: HoverPreview): string {
  const name = escapeMarkdown(basename(imagePath), 80);
  const maps = [
    preview.rolloutUrl && { legend: 'attention rollout', markdown: `![Attention rollout of ${name}](${preview.rolloutUrl})` },
    preview.alignmentUrl && { legend: 'caption alignment', markdown: `![Alignment of the caption with ${name}](${preview.alignmentUrl})` },
  ].filter((m) => !!m);
  // Images that would push the hover past VS Code's limit are left out rather than cut mid-URL.
  while (maps.reduce((sum, m) => sum + m.markdown.length, 0) > MAX_IMAGE_CHARS) maps.pop();
  const lines = [`**Multimodal Lens**: ${name} · Model: ${escapeMarkdown(preview.model, 80)} on ${escapeMarkdown(preview.executionProvider, 20)} · ${explorerLink(imagePath)}`];
  if (preview.description) return [...lines, ...descriptionLines(name, preview.description), ...noticeLines(preview.notices)].join('\n\n');
  if (caption !== undefined) lines.push(`Caption: “${escapeMarkdown(caption)}”${preview.captionScore === undefined ? '' : ` (similarity ${preview.captionScore.toFixed(3)})`}`);
  if (preview.labels.length > 0) lines.push(`Top labels: ${preview.labels.map((l) => `${escapeMarkdown(l.label, 60)} ${percent(l.probability)}`).join(' · ')}`);
  if (maps.length > 0) lines.push(maps.map((m) => m.markdown).join(' '), `*${maps.map((m) => m.legend).join(' \\| ')}*; viridis, dark = low, yellow = high`);
  else if (preview.rolloutUrl) lines.push('*The maps are too large to show in a hover: open the image in the Alignment Explorer.*');
  else lines.push('*No attention map: the model hides its attention (see its notices).*');
  return [...lines, ...noticeLines(preview.notices)].join('\n\n');
}

/** The first three notices, in italics. */
function noticeLines(notices: string[]): string[] {
  return notices.slice(0, 3).map((notice) => `*${escapeMarkdown(notice, 300)}*`);
}

/** A generative model's lines: its description, its most image-grounded word and that word's map. */
function descriptionLines(name: string, description: NonNullable<HoverPreview['description']>): string[] {
  const lines = [`Description: “${escapeMarkdown(description.text, 400)}”`];
  const { word, mapUrl } = description;
  if (word) lines.push(`Most image-grounded word: “${escapeMarkdown(word.text, 60)}” (${percent(word.imageShare)} of its attention on the image, mean over layers)`);
  if (word && mapUrl && mapUrl.length <= MAX_IMAGE_CHARS) lines.push(`![Where ${name}'s “${escapeMarkdown(word.text, 60)}” looks](${mapUrl})`, '*its attention on the image tokens; viridis, dark = low, yellow = high*');
  else if (!word) lines.push('*No word map: the model hides its attention (see its notices).*');
  return lines;
}

/** The hover for an image the preview did not render (too large, unreadable): the reason and the explorer link. */
export function noPreviewMarkdown(imagePath: string, reason: string): string {
  return [`**Multimodal Lens**: ${escapeMarkdown(basename(imagePath), 80)}`, escapeMarkdown(reason, 400), explorerLink(imagePath)].join('\n\n');
}

function explorerLink(imagePath: string): string {
  return `[Open in Alignment Explorer](${commandUri(ADD_TO_EXPLORER_COMMAND, [imagePath])} "Add this image to the Alignment Explorer")`;
}
