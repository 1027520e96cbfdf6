/** Contract state mirrors read from account data. */
export * from './contract-state-readers.ts';
export * from './proxy-contract-events.ts';
export * from './cocoon-contract-set.ts';
