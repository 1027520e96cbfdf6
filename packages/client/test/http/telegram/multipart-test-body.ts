/**
 * Builds multipart/form-data bodies for the transcription tests.
 */
export const TEST_BOUNDARY = '----cocoon-test-boundary-42';

export interface TestFormPart {
  name: string;
  value: string | Buffer;
  filename?: string;
  contentType?: string;
}

export function multipartBody(parts: readonly TestFormPart[], boundary = TEST_BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
    const type = part.contentType === undefined ? '' : `\r\nContent-Type: ${part.contentType}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}${type}\r\n\r\n`));
    chunks.push(typeof part.value === 'string' ? Buffer.from(part.value) : part.value);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export const multipartHeaders = (boundary = TEST_BOUNDARY): Record<string, string> => ({ 'content-type': `multipart/form-data; boundary=${boundary}` });

/** Bytes that are not valid UTF-8, to prove the body is forwarded byte for byte. */
export const FAKE_AUDIO = Buffer.from([0x52, 0x49, 0x46, 0x46, 0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0x80, 0x81]);
