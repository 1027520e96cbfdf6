/** Contract compilation and the committed compiled code. */
export * from './contract-compiler.ts';
export * from './contract-opcodes.ts';
export * from './contract-exit-codes.ts';
