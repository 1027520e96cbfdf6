/**
 * Small helpers of the SDK's calls: reading an opened end-to-end answer to its end (the body text and
 * its verified receipt: the reader checks the final chunk and the receipt before the last bytes come
 * out), and an AbortController that follows the call's own signal.
 */
import type { OpenedE2eAnswer } from './e2e-transport.ts';
import { summarizeReceipt } from './receipt-summary.ts';
import type { CocoonReceiptSummary } from './receipt-summary.ts';

/** Reads an opened answer to its end: the body text and the verified receipt. */
export async function readWholeAnswer(answer: OpenedE2eAnswer): Promise<{ text: string; receipt: CocoonReceiptSummary }> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const piece of answer.reader.body()) text += decoder.decode(piece, { stream: true });
  text += decoder.decode();
  return { text, receipt: summarizeReceipt(answer.reader.receipt!) };
}

/** An AbortController that follows the call's signal too. */
export function linkedController(signal: AbortSignal | undefined): AbortController {
  const controller = new AbortController();
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  return controller;
}
