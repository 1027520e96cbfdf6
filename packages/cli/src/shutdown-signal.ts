/**
 * Waits for SIGINT/SIGTERM (or, for children of `cocoon dev`, the parent closing our
 * stdin) so long-running commands can close gracefully. A second signal forces exit.
 */

export interface ShutdownWait {
  /** Resolves with the reason once a shutdown is requested. */
  requested: Promise<string>;
  /** Removes the listeners. */
  dispose(): void;
}

export function waitForShutdown(options: { watchStdin?: boolean; onForce?: () => void } = {}): ShutdownWait {
  let resolveRequest: (reason: string) => void = () => {};
  const requested = new Promise<string>((resolve) => (resolveRequest = resolve));
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      options.onForce?.();
      return;
    }
    signalled = true;
    resolveRequest(signal);
  };
  const onStdinEnd = (): void => resolveRequest('parent closed stdin');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (options.watchStdin) {
    process.stdin.on('end', onStdinEnd);
    process.stdin.on('error', onStdinEnd);
    process.stdin.resume();
  }
  return {
    requested,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (options.watchStdin) {
        process.stdin.off('end', onStdinEnd);
        process.stdin.off('error', onStdinEnd);
        process.stdin.pause();
      }
    },
  };
}
