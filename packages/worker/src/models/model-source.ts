/**
 * Where `cocoon models pull` fetches from: `hf:<owner>/<repo>/<file>.gguf[@revision]` (the
 * file may sit in a sub-folder), resolved to the Hugging Face download URL
 * `<base>/<owner>/<repo>/resolve/<revision>/<file>` (revision default `main`).
 */
import { CocoonError } from '@cocoon/protocol';

export const HUGGING_FACE_BASE_URL = 'https://huggingface.co';

export interface ModelSource {
  owner: string;
  repo: string;
  /** Path of the file inside the repository, e.g. `Qwen3-0.6B-Q8_0.gguf` or `q8/model.gguf`. */
  file: string;
  revision: string;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const REVISION = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

function invalid(spec: string, reason: string): CocoonError {
  return new CocoonError('CCN_ERR_CONFIG_INVALID', `model source '${spec}': ${reason} (expected hf:<owner>/<repo>/<file>.gguf[@revision])`, { param: 'source' });
}

export function parseModelSource(spec: string): ModelSource {
  if (!spec.startsWith('hf:')) throw invalid(spec, "only 'hf:' sources are supported");
  let rest = spec.slice(3);
  let revision = 'main';
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    revision = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!REVISION.test(revision) || revision.includes('..')) throw invalid(spec, `bad revision '${revision}'`);
  }
  const segments = rest.split('/');
  if (segments.length < 3) throw invalid(spec, 'owner, repository and file are required');
  for (const segment of segments) if (!SEGMENT.test(segment)) throw invalid(spec, `bad path segment '${segment}'`);
  const [owner, repo, ...fileSegments] = segments as [string, string, ...string[]];
  const file = fileSegments.join('/');
  if (!file.toLowerCase().endsWith('.gguf')) throw invalid(spec, 'the file must be a .gguf file');
  return { owner, repo, file, revision };
}

/** The download URL of the file (path segments URL-encoded). */
export function modelSourceUrl(source: ModelSource, baseUrl = HUGGING_FACE_BASE_URL): string {
  const encode = (path: string) => path.split('/').map(encodeURIComponent).join('/');
  return `${baseUrl.replace(/\/+$/, '')}/${encode(source.owner)}/${encode(source.repo)}/resolve/${encode(source.revision)}/${encode(source.file)}`;
}

/** The identity name of a pulled file: `<owner>/<repo>/<file without .gguf>`. */
export function modelSourceName(source: ModelSource): string {
  return `${source.owner}/${source.repo}/${source.file.replace(/\.gguf$/i, '')}`;
}

export function formatModelSource(source: ModelSource): string {
  return `hf:${source.owner}/${source.repo}/${source.file}@${source.revision}`;
}
