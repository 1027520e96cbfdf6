/** Initial data and address derivation of the settlement contracts. */
export * from './settlement-contract-data.ts';
