/**
 * Extra headers an app sends on every request to its client runner (createCocoon/cocoonFetch option `headers`),
 * e.g. a Telegram Mini App's `X-Telegram-Init-Data`: added to requests for the runner's origin only (never to
 * other origins a pass-through fetch may reach), without replacing a header the request sets itself. A function
 * is called per request (init data that changes stays current).
 */

export type RunnerHeaders = Record<string, string> | (() => Record<string, string>);

function urlOf(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

/** `fetchImpl` with `headers` added to every request whose URL is on `root`'s origin. */
export function withRunnerHeaders(fetchImpl: typeof fetch, root: URL, headers: RunnerHeaders): typeof fetch {
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    let origin: string;
    try {
      origin = new URL(urlOf(input), root).origin;
    } catch {
      return fetchImpl(input, init);
    }
    if (origin !== root.origin) return fetchImpl(input, init);
    const extra = typeof headers === 'function' ? headers() : headers;
    const merged = new Headers(init?.headers ?? (typeof input === 'object' && !(input instanceof URL) ? input.headers : undefined));
    for (const [name, value] of Object.entries(extra)) if (!merged.has(name)) merged.set(name, value);
    return fetchImpl(input, { ...init, headers: merged });
  }) as typeof fetch;
}
