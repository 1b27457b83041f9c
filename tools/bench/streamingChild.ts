/**
 * The Ask About Image panel's streaming in a fresh process: the SmolVLM-256M-size VLM answers through the
 * service while the panel's built page (dist/webview/ask.js, in headless Chromium with the webview tests'
 * stand-in VS Code) gets each event as the host posts it. Measured: from the moment the first token is chosen
 * (its onToken) to the frame after the page drew its map, over `rounds` answers after a warm-up one; and this
 * process's resident memory after each token of one answer of `tokens` tokens, to see that it stays flat.
 * Prints { firstTokenToMapMs, rssMiB, generated, stopReason, imageTokens, provider }.
 * Usage: streamingChild.ts <modelDir> <image> <tokens> <rounds> <executionProvider>
 */
import { parseExecutionProvider } from '../../src/inference/runtime/executionProvider';
import { imagePreviewDataUrl } from '../../src/inference/images/imagePreview';
import { InferenceService } from '../../src/inference/service';
import type { GenerationResult } from '../../src/shared/generationResult';
import { Msg, respond, type AnswerEvent } from '../../src/shared/protocol';
import { openWebview, type Webview } from '../../test/webview/explorerHarness';
import { launchChromium } from '../../test/webview/reportPage';
import { reply } from './child';
import { residentMiB } from './machine';

/** The result line. */
export interface StreamingChildResult {
  /** One per timed answer. */
  firstTokenToMapMs: number[];
  /** Resident memory after each token of the long answer, MiB. */
  rssMiB: number[];
  generated: number;
  stopReason: GenerationResult['stopReason'];
  imageTokens: number;
  provider: string;
}

const PROMPT = 'Describe the image.';
/** Tokens of each timed answer: the first is what is timed. */
const SHORT_ANSWER = 4;

async function main(): Promise<void> {
  const [modelDir, image, tokens, rounds, ep] = process.argv.slice(2);
  if (!ep) throw new Error('usage: streamingChild.ts <modelDir> <image> <tokens> <rounds> <executionProvider>');
  const service = new InferenceService({ executionProvider: parseExecutionProvider(ep), defaultModelDir: modelDir });
  const browser = await launchChromium();
  try {
    const view = await openWebview(browser, 'ask');
    await view.nextPosted(Msg.Ready);
    const preview = await imagePreviewDataUrl(image);
    await view.send(respond(1, { body: { image: { path: image, name: 'photo.png', preview }, model: 'smolvlm-256m-size', prompts: [PROMPT] } }));
    await view.page.locator('.ask-panel').waitFor();
    const firstTokenToMapMs: number[] = [];
    for (let run = 0; run <= Number(rounds); run++) {
      const { firstMs } = await answer(service, view, run + 1, image, SHORT_ANSWER);
      if (run > 0) firstTokenToMapMs.push(firstMs);
    }
    const rssMiB: number[] = [];
    const long = await answer(service, view, Number(rounds) + 2, image, Number(tokens), () => rssMiB.push(residentMiB().nowMiB));
    if (view.problems.length > 0) throw new Error(`The page reported: ${view.problems.join('; ')}`);
    const { result } = long;
    reply({
      firstTokenToMapMs, rssMiB, generated: result.generated.length, stopReason: result.stopReason,
      imageTokens: result.images[0].positions.length, provider: result.model.executionProvider,
    } satisfies StreamingChildResult);
  } finally {
    await browser.close();
    await service.dispose();
  }
}

/**
 * One answer streamed into the page as the panel's host posts it (events in order, each after the page handled the
 * last); resolves with the result and the milliseconds from the first token's choice to its map drawn.
 */
async function answer(service: InferenceService, view: Webview, run: number, image: string, maxNewTokens: number, afterToken?: () => void): Promise<{ result: GenerationResult; firstMs: number }> {
  let posted = Promise.resolve();
  const post = (event: AnswerEvent) => (posted = posted.then(() => view.send({ type: Msg.Answer, run, event })));
  let first: Promise<number> | undefined;
  post({ kind: 'started', prompt: PROMPT });
  await posted;
  const result = await service.generate({ images: [image], prompt: PROMPT, maxNewTokens }, {
    onImages: (images) => post({ kind: 'images', images }),
    onToken: (token, index) => {
      const chosen = performance.now();
      post({ kind: 'token', index, token });
      if (index === 0) first = posted.then(() => drawn(view, index)).then(() => performance.now() - chosen);
      afterToken?.();
    },
  });
  const firstMs = await first!;
  await posted;
  return { result, firstMs };
}

/** Resolves once the page's streamed map says it shows token `index`. */
async function drawn(view: Webview, index: number): Promise<void> {
  await view.page.waitForFunction((k) => document.querySelector('.streamed-map figcaption')?.textContent?.includes(`(token ${k}`) ?? false, index, { polling: 'raf' });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
