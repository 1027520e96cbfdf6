/**
 * Process-wide last resorts for the `cocoon` command: a promise rejection nobody handled is a bug,
 * so it is logged loudly with its stack (the runner keeps serving: one broken request must not take
 * the others down); an uncaught exception leaves state unknown, so it is logged the same way and
 * the process exits with a distinct code instead of dying with a half-written line.
 */
import type { Logger } from '@cocoon/protocol';

/** Exit code after an uncaught exception (EX_SOFTWARE). */
export const UNCAUGHT_EXCEPTION_EXIT_CODE = 70;

export interface ProcessFailureTarget {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  on(event: 'uncaughtException', listener: (error: Error) => void): unknown;
  exit(code: number): void;
}

function describeFailure(value: unknown): { error: string; stack?: string } {
  if (value instanceof Error) return { error: `${value.name}: ${value.message}`, ...(value.stack === undefined ? {} : { stack: value.stack }) };
  return { error: String(value) };
}

export function installProcessFailureGuards(logger: Logger, target: ProcessFailureTarget = process): void {
  target.on('unhandledRejection', (reason) => {
    logger.error('BUG: unhandled promise rejection (the process keeps running; please report this)', describeFailure(reason));
  });
  target.on('uncaughtException', (error) => {
    logger.error('BUG: uncaught exception; exiting', describeFailure(error));
    target.exit(UNCAUGHT_EXCEPTION_EXIT_CODE);
  });
}
