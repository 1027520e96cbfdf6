/**
 * How the CLI talks to a running runner's stats port: `GET /jsonstats` and `POST /request/<name>`
 * with `Authorization: Bearer <admin token>` read from the runner's admin token file. Every
 * failure becomes a CocoonError that says what to do: runner not running, token file missing,
 * token refused, operation unknown to this runner, or the runner's own error (code and message).
 * The token is never part of a message.
 */
import { CocoonError, isCocoonErrorCode, readAdminToken } from '@cocoon/protocol';

export interface RunnerAdminClientOptions {
  /** The runner's stats URL, e.g. http://127.0.0.1:12000. */
  statsUrl: string;
  adminTokenFile: string;
  /** What runs there, for messages (`worker`, `proxy`, `client`). */
  role: string;
  /** Per request. Default 300 s (operations wait for the chain). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class RunnerAdminClient {
  private readonly fetchImpl: typeof fetch;
  readonly statsUrl: string;

  constructor(private readonly options: RunnerAdminClientOptions) {
    this.statsUrl = options.statsUrl.replace(/\/+$/, '').replace(/\/(json)?stats$/, ''); // a stats page URL works too
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** The runner's /jsonstats (with the admin token: it also opens stats guarded by an access hash). */
  async jsonStats(): Promise<Record<string, unknown>> {
    return this.call('GET', '/jsonstats', new URLSearchParams());
  }

  /** POST /request/<name>?query… and the runner's JSON answer. */
  async request(name: string, query: Record<string, string | undefined> = {}): Promise<Record<string, unknown>> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, value);
    return this.call('POST', `/request/${name}`, search);
  }

  /** GET /request/<name> (read-only admin reports such as the client's /request/audit) and the runner's JSON answer. */
  async read(name: string): Promise<Record<string, unknown>> {
    return this.call('GET', `/request/${name}`, new URLSearchParams());
  }

  private token(): string {
    try {
      return readAdminToken(this.options.adminTokenFile);
    } catch (error) {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `${(error as Error).message}; is the ${this.options.role} running, and is this its admin_token_file (--admin-token-file)?`, { param: 'admin_token_file', cause: error });
    }
  }

  private async call(method: string, path: string, search: URLSearchParams): Promise<Record<string, unknown>> {
    const token = this.token();
    const url = `${this.statsUrl}${path}${search.size > 0 ? `?${search.toString()}` : ''}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, { method, headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(this.options.timeoutMs ?? 300_000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new CocoonError('CCN_ERR_CLI_RUNNER_UNREACHABLE', `no ${this.options.role} answers at ${this.statsUrl} (${cause}); start it, or pass --stats-url`, { cause: error });
    }
    const text = await response.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new CocoonError('CCN_ERR_CLI_RUNNER_UNREACHABLE', `${url} answered HTTP ${response.status} without JSON: is a COCOON ${this.options.role} listening there?`);
    }
    if (response.ok) return body;
    // Stats servers answer {error, code}; the client's API port answers OpenAI-style {error: {message, code}}.
    const nested = typeof body.error === 'object' && body.error !== null ? body.error as { message?: unknown; code?: unknown } : undefined;
    const message = typeof body.error === 'string' ? body.error : typeof nested?.message === 'string' ? nested.message : `HTTP ${response.status}`;
    const code = nested ? nested.code : body.code;
    if (response.status === 401) {
      throw new CocoonError('CCN_ERR_HTTP_UNAUTHORIZED', `the ${this.options.role} refused the admin token from ${this.options.adminTokenFile}: pass the admin_token_file of the runner at ${this.statsUrl}`);
    }
    if (response.status === 404 && message.startsWith('no such endpoint') && path.startsWith('/request/')) {
      throw new CocoonError('CCN_ERR_HTTP_NOT_FOUND', `the ${this.options.role} at ${this.statsUrl} has no ${path} (${message}); on-chain operations exist only when it runs with ton_endpoint set`);
    }
    throw new CocoonError(isCocoonErrorCode(code) ? code : 'CCN_ERR_INTERNAL', message);
  }
}
