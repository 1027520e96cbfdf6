/**
 * The light client page (bundled to app.js): connects to Telegram when it runs as a Mini App, reads
 * the trust configuration, lists the runner's models, verifies the selected model's attestation in
 * the page (again on every model change) and only then lets the user send; each prompt is sealed in
 * the page to the verified workers' keys by @cocoon/sdk (inside Telegram with its init data on every request), the answer streams into the conversation
 * and its signed receipt is verified and shown with the cost. Nothing is logged to the console:
 * prompts and answers never leave the page in clear.
 */
import { createCocoon, isAudioModelName, type ChatMessage, type Cocoon } from '@cocoon/sdk';
import { AttestationView } from './attestation-view.ts';
import { ChatView } from './chat-view.ts';
import { loadPageConfig, policyOf } from './page-config.ts';
import { connectTelegramWebApp, telegramInitDataHeaders } from './telegram-web-app.ts';

function byId<T extends HTMLElement>(id: string, type: { new(): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the page lacks its #${id} element`);
  return element;
}

/** A failure as the page shows it: the message and, for COCOON errors, the code. */
function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && code.startsWith('CCN_ERR_') && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

function setPageState(state: 'loading' | 'verifying' | 'ready' | 'refused' | 'streaming'): void {
  document.body.dataset.state = state;
}

class LightClientPage {
  private readonly attestation = new AttestationView(byId('attestation-status', HTMLElement));
  private readonly models = byId('model', HTMLSelectElement);
  private readonly chat: ChatView;
  private cocoon: Cocoon | undefined;
  private verifiedModel: string | undefined;
  private verification = 0;
  private readonly history: ChatMessage[] = [];
  private current: { abort(): void } | undefined;

  constructor() {
    this.chat = new ChatView({
      messages: byId('messages', HTMLElement), form: byId('composer', HTMLFormElement), prompt: byId('prompt', HTMLTextAreaElement),
      send: byId('send', HTMLButtonElement), stop: byId('stop', HTMLButtonElement),
    }, {
      onSend: (prompt) => void this.send(prompt),
      onStop: () => this.current?.abort(),
    });
  }

  private refuse(reason: string): void {
    this.attestation.showRefused(reason);
    this.chat.allowSending(false);
    setPageState('refused');
  }

  async start(): Promise<void> {
    void connectTelegramWebApp(window);
    let config;
    try {
      config = await loadPageConfig(fetch.bind(window), location.href);
    } catch (error) {
      this.refuse(describeError(error));
      return;
    }
    // Inside Telegram every runner request carries the signed init data (a runner may admit only its bot's users).
    const cocoon = createCocoon({ baseURL: location.origin, policy: policyOf(config), headers: () => telegramInitDataHeaders(window) });
    this.cocoon = cocoon;
    let ids: string[];
    try {
      // A chat: the text models (speech-to-text ones take audio, not messages).
      ids = (await cocoon.models.list()).data.map((model) => model.id).filter((id) => !isAudioModelName(id));
    } catch (error) {
      this.refuse(`the client runner's models could not be listed: ${describeError(error)}`);
      return;
    }
    if (ids.length === 0) {
      this.refuse('the client runner lists no chat model (no worker is connected yet): reload the page later');
      return;
    }
    this.models.replaceChildren(...ids.map((id) => new Option(id, id)));
    this.models.value = config.model && ids.includes(config.model) ? config.model : ids[0]!;
    this.models.disabled = false;
    this.models.addEventListener('change', () => void this.verify(this.models.value));
    await this.verify(this.models.value);
  }

  /** Verifies the model's workers in the page; sending is possible only after a verified verdict for the selected model. */
  private async verify(model: string): Promise<void> {
    const cocoon = this.cocoon;
    if (!cocoon) return;
    const attempt = ++this.verification;
    this.verifiedModel = undefined;
    this.chat.allowSending(false);
    this.attestation.showPending(model);
    setPageState('verifying');
    try {
      const verdict = await cocoon.attestation.verify(model);
      if (attempt !== this.verification) return;
      if (!this.attestation.showVerdict(verdict)) {
        setPageState('refused');
        return;
      }
      this.verifiedModel = model;
      this.chat.allowSending(true);
      setPageState('ready');
    } catch (error) {
      if (attempt === this.verification) this.refuse(describeError(error));
    }
  }

  private async send(prompt: string): Promise<void> {
    const cocoon = this.cocoon;
    const model = this.verifiedModel;
    if (!cocoon || !model) return;
    this.history.push({ role: 'user', content: prompt });
    this.attestation.collapse(); // the conversation gets the screen; the verdict stays one line
    this.chat.addUserMessage(prompt);
    const answer = this.chat.startAnswer();
    this.chat.setStreaming(true);
    this.models.disabled = true;
    setPageState('streaming');
    try {
      const stream = await cocoon.chat.completions.create({ model, messages: [...this.history], stream: true });
      this.current = stream;
      const receipt = stream.receipt;
      receipt.catch(() => undefined); // a failed stream reports the same error below
      for await (const chunk of stream) answer.append(chunk.choices[0]?.delta?.content ?? '');
      answer.receipt.showVerified(await receipt);
      this.history.push({ role: 'assistant', content: answer.content });
    } catch (error) {
      this.history.pop(); // the next prompt does not carry a turn without its answer
      answer.receipt.showFailed(describeError(error));
    } finally {
      this.current = undefined;
      answer.finish();
      this.models.disabled = false;
      this.chat.setStreaming(false);
      setPageState(this.verifiedModel ? 'ready' : 'refused');
    }
  }
}

void new LightClientPage().start();
