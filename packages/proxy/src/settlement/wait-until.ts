/** Polls a condition until it holds or a deadline passes (chain state changes are observed, not pushed). */
import { CocoonError } from '@cocoon/protocol';

export async function waitUntil(condition: () => Promise<boolean>, deadline: number, what: string, intervalMs = 200): Promise<void> {
  for (;;) {
    if (await condition()) return;
    if (Date.now() >= deadline) throw new CocoonError('CCN_ERR_TON_TIMEOUT', `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
