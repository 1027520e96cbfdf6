/** Contract compilation and the committed compiled code. */
export * from './contract-compiler.ts';
