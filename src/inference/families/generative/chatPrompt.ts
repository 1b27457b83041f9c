/**
 * The prompt a generative VLM is fed: the user's text through the chat template of tokenizer_config.json (or
 * chat_template.json), rendered by @huggingface/jinja as Hugging Face's apply_chat_template renders it with
 * jinja2 (the library defines `raise_exception` itself), the images as `{type: "image"}` content items where the processor puts them (before the text, or where
 * the text names the image token). Without a template, a prompt that holds the image token is used as it is, and
 * one that does not gets the token put before it, with a notice.
 */
import { Template } from '@huggingface/jinja';
import { badInput, badModel } from '../../../core/errors';
import type { JsonObject } from '../../model/configFields';

/** The rendered prompt text and what a user should know about how it was made. */
export interface ChatPrompt {
  text: string;
  /** True when the text came from the model's chat template. */
  templated: boolean;
  notices: string[];
}

/** What a template may read besides the messages. */
export interface TemplateContext {
  bosToken?: string;
  eosToken?: string;
}

/** The chat template of tokenizer_config.json (a string, or HF's list of named templates: "default" first), else of chat_template.json. */
export function chatTemplateOf(tokenizerConfig: JsonObject, chatTemplateJson: JsonObject | undefined): string | undefined {
  const pick = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value;
    if (!Array.isArray(value)) return undefined;
    const named = value.filter((t): t is { name: unknown; template: string } => typeof t === 'object' && t !== null && typeof (t as { template?: unknown }).template === 'string');
    return (named.find((t) => t.name === 'default') ?? named[0])?.template;
  };
  return pick(tokenizerConfig.chat_template) ?? pick(chatTemplateJson?.chat_template);
}

/** Renders the user's `text` with `images` images for the model: see the file comment. */
export function renderPrompt(template: string | undefined, text: string, imageToken: string, images: number, context: TemplateContext): ChatPrompt {
  if (text.trim() === '') throw badInput('The prompt is empty.', 'Give a prompt, for example --prompt "Describe the image."');
  const named = text.split(imageToken).length - 1;
  if (named > 0 && named !== images) {
    throw badInput(`The prompt names the image token ${imageToken} ${named} times for ${images} image(s).`, `Write ${imageToken} once per image, or leave it out and the images go before the text.`);
  }
  if (template === undefined) {
    if (named > 0) return { text, templated: false, notices: [] };
    return { text: `${imageToken.repeat(images)}\n${text}`, templated: false, notices: [`The model has no chat template; the image token ${imageToken} was put before the prompt.`] };
  }
  const content = named > 0
    ? text.split(imageToken).flatMap((part, i) => [...(i > 0 ? [{ type: 'image' }] : []), ...(part ? [{ type: 'text', text: part }] : [])])
    : [...Array.from({ length: images }, () => ({ type: 'image' })), { type: 'text', text }];
  let rendered: string;
  try {
    rendered = new Template(template).render({
      messages: [{ role: 'user', content }],
      add_generation_prompt: true,
      bos_token: context.bosToken ?? '',
      eos_token: context.eosToken ?? '',
    });
  } catch (error) {
    throw badModel('tokenizer_config.json', `its chat template cannot be rendered (${(error as Error).message})`, 'Use the tokenizer_config.json (or chat_template.json) from the model\'s repository.');
  }
  const placed = rendered.split(imageToken).length - 1;
  if (placed !== images) {
    throw badModel('tokenizer_config.json', `its chat template places the image token ${imageToken} ${placed} times for ${images} image(s)`, 'Use the chat template from the model\'s repository, or write the image token into the prompt yourself.');
  }
  return { text: rendered, templated: true, notices: [] };
}
