/** Network parameters cell (§6.1). */
export * from './cocoon-params.ts';
