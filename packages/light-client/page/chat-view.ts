/**
 * The conversation and the composer: user and assistant messages (the latest assistant message is
 * `data-testid="answer"`, its receipt line `data-testid="receipt-status"`), the prompt box (Enter
 * sends, Shift+Enter breaks the line) and the send and stop buttons. Sending is possible only when the
 * page says so (attestation verified, no answer streaming). Text only, never HTML.
 */
import { ReceiptView } from './receipt-view.ts';

export interface ChatElements {
  messages: HTMLElement;
  form: HTMLFormElement;
  prompt: HTMLTextAreaElement;
  send: HTMLButtonElement;
  stop: HTMLButtonElement;
}

export interface ChatHandlers {
  /** A prompt the user sent (not empty). */
  onSend(prompt: string): void;
  /** The user stopped the answer streaming now. */
  onStop(): void;
}

/** One assistant answer being shown: text appended as chunks arrive, then its receipt. */
export class AnswerView {
  private readonly text: Text;
  readonly receipt: ReceiptView;

  /** `keepScrolled` runs a change that grows the conversation, keeping it scrolled to the end if it was. */
  constructor(readonly element: HTMLElement, content: HTMLElement, receiptElement: HTMLElement, private readonly keepScrolled: (change: () => void) => void) {
    this.text = element.ownerDocument.createTextNode('');
    content.append(this.text);
    this.receipt = new ReceiptView(receiptElement);
  }

  append(piece: string): void {
    if (piece) this.keepScrolled(() => this.text.appendData(piece));
  }

  get content(): string {
    return this.text.data;
  }

  finish(): void {
    this.element.dataset.state = 'done';
  }
}

export class ChatView {
  private sendAllowed = false;
  private streaming = false;

  constructor(private readonly elements: ChatElements, handlers: ChatHandlers) {
    elements.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit(handlers);
    });
    elements.prompt.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit(handlers);
      }
    });
    elements.stop.addEventListener('click', () => handlers.onStop());
  }

  private submit(handlers: ChatHandlers): void {
    if (!this.canSend()) return;
    const prompt = this.elements.prompt.value.trim();
    if (!prompt) {
      this.elements.prompt.focus();
      return;
    }
    this.elements.prompt.value = '';
    handlers.onSend(prompt);
  }

  private canSend(): boolean {
    return this.sendAllowed && !this.streaming;
  }

  private render(): void {
    this.elements.send.disabled = !this.canSend();
    this.elements.stop.hidden = !this.streaming;
    this.elements.messages.setAttribute('aria-busy', String(this.streaming));
  }

  /** Whether sending is allowed at all (the attestation of the selected model verified). */
  allowSending(allowed: boolean): void {
    this.sendAllowed = allowed;
    this.render();
  }

  setStreaming(streaming: boolean): void {
    this.streaming = streaming;
    this.render();
    if (!streaming) this.elements.prompt.focus();
  }

  private bubble(role: 'user' | 'assistant'): HTMLElement {
    const document = this.elements.messages.ownerDocument;
    this.elements.messages.querySelector('.messages-empty')?.remove();
    const element = document.createElement('article');
    element.className = `message message-${role}`;
    element.setAttribute('aria-label', role === 'user' ? 'You' : 'Answer');
    this.elements.messages.append(element);
    return element;
  }

  private scrollToEnd(): void {
    const messages = this.elements.messages;
    messages.scrollTop = messages.scrollHeight;
  }

  /** Applies a change and scrolls to the end only if the reader was there (reading back is not interrupted). */
  private keepScrolled(change: () => void): void {
    const messages = this.elements.messages;
    const atEnd = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 48;
    change();
    if (atEnd) this.scrollToEnd();
  }

  addUserMessage(text: string): void {
    this.bubble('user').textContent = text;
    this.scrollToEnd();
  }

  /** A new assistant message; it takes over the `answer` and `receipt-status` test ids from the previous one. */
  startAnswer(): AnswerView {
    const messages = this.elements.messages;
    for (const id of ['answer', 'receipt-status']) messages.querySelector(`[data-testid="${id}"]`)?.removeAttribute('data-testid');
    const element = this.bubble('assistant');
    element.dataset.state = 'streaming';
    const document = messages.ownerDocument;
    const content = document.createElement('div');
    content.className = 'message-content';
    content.dataset.testid = 'answer';
    const receipt = document.createElement('p');
    receipt.className = 'receipt';
    receipt.dataset.testid = 'receipt-status';
    receipt.setAttribute('role', 'status');
    element.append(content, receipt);
    this.scrollToEnd();
    return new AnswerView(element, content, receipt, (change) => this.keepScrolled(change));
  }
}
