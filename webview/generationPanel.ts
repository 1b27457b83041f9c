/**
 * The Ask About Image panel's page: the image, a prompt box with the model's suggested prompts, Ask and Stop, a
 * choice of occlusion maps besides attention, the answer written token by token as the host posts them, each token's
 * map drawn as it arrives (the newest, or the word chosen: streamedMap.ts), the occlusion's progress, then the generation report of the complete answer below
 * (generationView.ts). Asking again replaces the answer; a stopped answer says so and keeps what was written; a
 * failure shows the host's message. The host does the work; this page only sends the prompt and Stop.
 */
import type { GeneratedToken } from '../src/shared/generationResult';
import { Msg, type AnswerEvent, type AskSetup, type FromWebview } from '../src/shared/protocol';
import { commandButton } from './draw/commandButton';
import { el, labelledCheckbox, uniqueId } from './draw/dom';
import { renderGeneration } from './generationView';
import { createStreamedMap, type StreamedMap } from './streamedMap';

/** The page, and what it does with each answer event the host posts. */
export interface AskPanel {
  element: HTMLElement;
  /** Handles event `event` of answer `run`; events of an answer older than the latest started are dropped. */
  onAnswer(run: number, event: AnswerEvent): void;
  /** Shows a message from the host that belongs to no answer (a request it refused). */
  showError(message: string): void;
}

/** Builds the page for `setup`; `post` sends a message to the host. */
export function createAskPanel(setup: AskSetup, post: (message: FromWebview) => void): AskPanel {
  const element = el('div', 'ask-panel');
  const image = el('img', 'ask-image');
  image.src = setup.image.preview;
  image.alt = setup.image.name;
  const titles = el('div');
  titles.append(el('h1', undefined, `Ask about ${setup.image.name}`), el('p', 'note', `Model ${setup.model}`));
  const heading = el('header', 'ask-header');
  heading.append(image, titles);

  const prompt = el('input', 'ask-prompt');
  prompt.type = 'text';
  prompt.id = uniqueId('prompt');
  prompt.value = setup.prompts[0] ?? '';
  prompt.spellcheck = false;
  const label = el('label', 'control-label', 'Prompt');
  label.htmlFor = prompt.id;
  const ask = commandButton('Ask', 'Ask the model about the image', () => send(), 'ask-button');
  const stop = commandButton('Stop', 'Stop writing the answer', () => {
    post({ type: Msg.StopAnswer });
    stop.disabled = true;
    status.textContent = 'Stopping…';
  }, 'ask-button');
  stop.disabled = true;
  prompt.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !ask.disabled) send();
  });
  const { element: occlusionChoice, control: occlusion } = labelledCheckbox('Occlusion maps too (one pass per image patch: slower)', false);
  const box = el('div', 'ask-box');
  box.append(label, prompt, ask, stop, occlusionChoice);

  const suggestions = el('div', 'ask-suggestions');
  suggestions.setAttribute('role', 'group');
  suggestions.setAttribute('aria-label', 'Suggested prompts: choose one to put it in the prompt box');
  suggestions.append(el('span', 'control-label', 'Suggested:'), ...setup.prompts.map((text) => {
    const suggestion = commandButton(text, `Use the prompt "${text}"`, () => {
      prompt.value = text;
      prompt.focus();
    }, 'ask-button');
    suggestion.secondary = true;
    return suggestion;
  }));

  const answer = el('p', 'streamed-answer');
  answer.setAttribute('role', 'toolbar');
  answer.setAttribute('aria-label', 'Answer: choose a word to pin its map');
  const live = el('div', 'ask-live');
  const status = el('p', 'ask-status');
  status.setAttribute('role', 'status');
  const problem = el('p', 'ask-error');
  problem.setAttribute('role', 'alert');
  const report = el('div', 'ask-report');
  element.append(heading, box, suggestions, el('h2', undefined, 'Answer'), answer, live, status, problem, report);

  let run = -1;
  // The streamed answer's tokens and map; a chosen word stays pinned until it is chosen again.
  let streamed: { tokens: GeneratedToken[]; map?: StreamedMap; pinned?: number } = { tokens: [] };
  const drawStreamed = () => {
    const { tokens, map, pinned } = streamed;
    const shown = pinned ?? tokens.length - 1;
    if (map && tokens[shown]) map.show(tokens[shown], shown, pinned !== undefined);
    answer.querySelectorAll('.streamed-token').forEach((word, k) => word.setAttribute('aria-pressed', String(k === pinned)));
  };
  const addToken = (token: GeneratedToken, index: number) => {
    const word = el('button', 'streamed-token', token.text);
    word.type = 'button';
    word.addEventListener('click', () => {
      streamed.pinned = streamed.pinned === index ? undefined : index;
      drawStreamed();
    });
    answer.append(word);
    streamed.tokens[index] = token;
    drawStreamed();
  };
  function send(): void {
    const text = prompt.value.trim();
    if (text === '') {
      problem.textContent = 'Write a question or an instruction first.';
      return;
    }
    post({ type: Msg.AskImage, prompt: text, occlusion: occlusion.checked });
  }
  const running = (on: boolean) => {
    ask.disabled = on;
    stop.disabled = !on;
  };

  return {
    element,
    onAnswer(id, event) {
      if (event.kind === 'started') {
        run = id;
        running(true);
        answer.replaceChildren();
        live.replaceChildren();
        streamed = { tokens: [] };
        report.replaceChildren();
        problem.textContent = '';
        status.textContent = `Writing the answer to "${event.prompt}"…`;
        return;
      }
      if (id !== run) return;
      if (event.kind === 'images') {
        streamed.map = createStreamedMap(setup.image.preview, event.images);
        live.replaceChildren(streamed.map.element);
        return;
      }
      if (event.kind === 'token') {
        addToken(event.token, event.index);
        return;
      }
      if (event.kind === 'progress') {
        status.textContent = `Making the maps: ${event.stage} ${event.done} of ${event.total}…`;
        return;
      }
      running(false);
      if (event.kind === 'done') {
        const { result } = event.report;
        status.textContent = `Complete: ${result.generated.length} tokens, stopped at ${result.stopReason === 'endToken' ? 'the end token' : 'the token limit'}. Choose a word below to see where the model looked.`;
        // The report shows every word's map on the answer's shared scale.
        live.replaceChildren();
        renderGeneration(report, event.report);
      } else if (event.kind === 'stopped') {
        answer.append(el('span', 'answer-stopped', ' [stopped]'));
        status.textContent = `Stopped after ${event.tokens} token${event.tokens === 1 ? '' : 's'}, before the report was made. Ask again for a complete answer.`;
      } else {
        status.textContent = '';
        problem.textContent = event.message;
      }
    },
    showError(message) {
      problem.textContent = message;
    },
  };
}
