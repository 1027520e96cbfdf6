/**
 * Decides which log field keys look secret and replaces their values with
 * `[redacted]`, recursively through plain objects and arrays.
 */

export const REDACTED = '[redacted]';

const SECRET_WORDS = ['secret', 'private', 'password', 'passwd', 'authorization', 'cookie', 'mnemonic'];

/** Splits `httpAccessHash`, `http_access_hash`, `x-api-key` into lowercase words. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/** `key` words that name something public: a public key, or the key manager role (`key_manager_image_hash`). */
function isPublicKeyWord(words: string[], index: number): boolean {
  return words[index] === 'key' && (words[index - 1] === 'public' || words[index + 1] === 'manager');
}

/**
 * Whether a field key looks secret: contains secret/private/password/authorization,
 * or has a word ending in `key` or `token` (`api_key`, `hf_token`; not `max_tokens`,
 * `public_key` or `key_manager_address`), or is an access hash.
 */
export function isSecretLogKey(key: string): boolean {
  const lower = key.toLowerCase();
  if (SECRET_WORDS.some((word) => lower.includes(word))) return true;
  const words = keyWords(key);
  if (words.some((word, index) => (word.endsWith('key') && !isPublicKeyWord(words, index)) || word.endsWith('token'))) return true;
  return lower.replaceAll(/[^a-z]/g, '').includes('accesshash');
}

/** A copy of `value` with every secret-looking key's value replaced by `[redacted]`. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  if (value instanceof Error || value instanceof Date || ArrayBuffer.isView(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = isSecretLogKey(key) ? REDACTED : redactSecrets(item, depth + 1);
  return copy;
}
