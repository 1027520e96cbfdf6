/** Runner life cycle helpers: the start-up cleanup stack. */
export * from './cleanup-stack.ts';
