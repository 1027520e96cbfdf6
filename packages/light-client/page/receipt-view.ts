/**
 * The receipt line under an answer (`data-testid="receipt-status"` on the latest one): the worker's
 * signed receipt as the page verified it — tokens and cost in TON (cost_nanoton as an exact decimal),
 * the TEE and image of the worker that answered — or why the answer has no verified receipt.
 */
import { formatNanotonAsTon, type CocoonReceiptSummary } from '@cocoon/sdk';

export class ReceiptView {
  constructor(readonly element: HTMLElement) {
    element.dataset.state = 'pending';
    element.textContent = 'Receipt: waiting for the answer to end…';
  }

  showVerified(receipt: CocoonReceiptSummary): void {
    const tokens = receipt.tokens_used;
    this.element.dataset.state = 'verified';
    this.element.textContent = `✓ Receipt verified · ${tokens.total} tokens (${tokens.prompt} prompt, ${tokens.completion} completion) · `
      + `${formatNanotonAsTon(receipt.cost_nanoton)} TON · ${receipt.tee} image ${receipt.image_hash.slice(0, 16)}…`;
  }

  showFailed(reason: string): void {
    this.element.dataset.state = 'failed';
    this.element.textContent = `✗ No verified receipt: ${reason}`;
  }
}
