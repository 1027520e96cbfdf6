/** Public API of the worker's accounting: the SSE-aware usage token counter (§5.1). */
export { UsageTokenCounter } from './usage-token-counter.ts';
export type { UsageTokenCounterOptions } from './usage-token-counter.ts';
export { JsonValueScanner } from './json-value-scanner.ts';
export { containsUsageObject } from './usage-fields.ts';
