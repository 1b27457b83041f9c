/**
 * Entry of the Ask About Image panel (src/providers/askPanel.ts): asks the host for the image and the suggested
 * prompts (the ready handshake), then draws the page and hands it each answer event the host posts.
 */
import './generation.css';
import { Msg, type AskSetup } from '../src/shared/protocol';
import { el } from './draw/dom';
import { connectHost } from './explorer/hostPort';
import { createAskPanel, type AskPanel } from './generationPanel';

const port = connectHost();
const app = document.getElementById('app')!;
let panel: AskPanel | undefined;
port.listen((message) => {
  if (message.type === Msg.Answer) panel?.onAnswer(message.run, message.event);
  else if (message.type === Msg.Error) panel?.showError(message.message);
});
port.requests.send({ type: Msg.Ready }).then((setup) => {
  panel = createAskPanel(setup as AskSetup, port.post);
  app.replaceChildren(panel.element);
}, (error: Error) => {
  const problem = el('p', 'ask-error', error.message);
  problem.setAttribute('role', 'alert');
  app.replaceChildren(problem);
});
