/**
 * A `multipart/form-data` body built in memory (the audio transcription upload, sealed whole): text
 * fields and one file part, a random boundary that occurs nowhere in the data, names and file names
 * escaped as browsers do (`"` → %22, CR and LF → %0D / %0A). Browser-safe, deterministic given the
 * random source.
 */
import { CocoonError, concatenate, systemRandomBytes, toHex } from '@cocoon/protocol/browser';

export type MultipartPart =
  | { name: string; value: string }
  | { name: string; data: Uint8Array; filename: string; contentType: string };

export interface MultipartFormBody {
  body: Uint8Array;
  /** `multipart/form-data; boundary=…` */
  contentType: string;
}

const escapeQuoted = (text: string): string => text.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0];
  outer: for (let index = haystack.indexOf(first!); index !== -1 && index <= haystack.length - needle.length; index = haystack.indexOf(first!, index + 1)) {
    for (let offset = 1; offset < needle.length; offset++) if (haystack[index + offset] !== needle[offset]) continue outer;
    return true;
  }
  return false;
}

export function encodeMultipartForm(parts: readonly MultipartPart[], random: (length: number) => Uint8Array = systemRandomBytes): MultipartFormBody {
  const encoder = new TextEncoder();
  const contents = parts.map((part) => ('value' in part ? encoder.encode(part.value) : part.data));
  for (let attempt = 0; attempt < 4; attempt++) {
    const boundary = `----CocoonFormBoundary${toHex(random(16))}`;
    const marker = encoder.encode(boundary);
    if (contents.some((content) => contains(content, marker))) continue;
    const pieces: Uint8Array[] = [];
    for (const [index, part] of parts.entries()) {
      const disposition = `form-data; name="${escapeQuoted(part.name)}"${'filename' in part ? `; filename="${escapeQuoted(part.filename)}"` : ''}`;
      const type = 'contentType' in part ? `\r\nContent-Type: ${part.contentType.replace(/[\r\n]/g, '')}` : '';
      pieces.push(encoder.encode(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`), contents[index]!, encoder.encode('\r\n'));
    }
    pieces.push(encoder.encode(`--${boundary}--\r\n`));
    return { body: concatenate(...pieces), contentType: `multipart/form-data; boundary=${boundary}` };
  }
  throw new CocoonError('CCN_ERR_INTERNAL', 'no multipart boundary could be chosen that the data does not contain');
}
