/**
 * TON amounts on the command line: decimal strings parsed exactly into nanoTON bigints (never
 * through a float; at most 9 decimals, the nanoTON precision) and nanoTON printed back as TON.
 */
import { CocoonError } from '@cocoon/protocol';

const NANOTON_DIGITS = 9;
const AMOUNT_PATTERN = /^(\d+)(?:\.(\d*))?$|^\.(\d+)$/;

/** "1.5" → 1_500_000_000n. Rejects signs, exponents, separators, empty input and more than 9 decimals. */
export function parseTonAmount(text: string, what = 'amount'): bigint {
  const trimmed = text.trim();
  const match = AMOUNT_PATTERN.exec(trimmed);
  if (!match) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `${what}: expected a TON amount like 1.5 (digits and one dot), got '${text.slice(0, 40)}'`, { param: what });
  }
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? match[3] ?? '';
  if (fraction.length > NANOTON_DIGITS) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `${what}: at most ${NANOTON_DIGITS} decimals (1 nanoTON = 0.000000001 TON), got ${fraction.length}`, { param: what });
  }
  return BigInt(whole) * 10n ** BigInt(NANOTON_DIGITS) + BigInt(fraction.padEnd(NANOTON_DIGITS, '0') || '0');
}

/** 1_500_000_000n → "1.5"; negative amounts keep their sign. */
export function formatTon(nanoton: bigint): string {
  const sign = nanoton < 0n ? '-' : '';
  const magnitude = nanoton < 0n ? -nanoton : nanoton;
  const unit = 10n ** BigInt(NANOTON_DIGITS);
  const fraction = (magnitude % unit).toString().padStart(NANOTON_DIGITS, '0').replace(/0+$/, '');
  return `${sign}${magnitude / unit}${fraction ? `.${fraction}` : ''}`;
}

/** A worker coefficient as a decimal multiplier ("1.25") into the integer the protocol uses (×1000: 1250). */
export function parseCoefficient(text: string): number {
  const match = /^(\d{1,6})(?:\.(\d{0,3}))?$/.exec(text.trim());
  if (!match) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `coefficient: expected a multiplier like 1 or 1.25 (at most 3 decimals, below 1000000), got '${text.slice(0, 40)}'`, { param: 'coefficient' });
  }
  return Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0'));
}
