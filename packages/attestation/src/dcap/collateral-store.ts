/**
 * On-disk DCAP collateral cache keyed by platform (FMSPC + PCK CA type). `get` serves a stored,
 * unexpired entry; near its expiry it starts one background refresh and still serves the stored
 * one; a missing or expired entry is fetched (from Intel PCS by default), concurrent callers
 * sharing the fetch. Entries are JSON files (mode 0600, written to a temp file then renamed) with
 * fetched_at / expires_at; recorded collateral can be imported (`--collateral FILE`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { INTEL_PCS_URL, getCollateral } from '@phala/dcap-qvl';
import { CocoonError, toCocoonError } from '@cocoon/protocol';
import type { CollateralSource } from './collateral-source.ts';
import { collateralPckCaType, parseDcapCollateral, readCollateralValidity, type DcapCollateral } from './dcap-collateral.ts';
import { parseTdxQuote, type PckCaType } from './tdx-quote-parser.ts';

export const DEFAULT_REFRESH_AHEAD_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_REFRESH_RETRY_MS = 5 * 60 * 1000;

export interface CollateralStoreOptions {
  /** Directory of the on-disk cache (created 0700 if missing). */
  directory: string;
  /** Fetches collateral for a quote; default dcap-qvl getCollateral(pccsUrl, quote). */
  fetchCollateral?: (quote: Buffer) => Promise<DcapCollateral>;
  /** PCS/PCCS base URL for the default fetch and for messages; default Intel PCS. */
  pccsUrl?: string;
  /** Start a background refresh when the entry expires within this; default 24 h. */
  refreshAheadMs?: number;
  /** After a failed background refresh, wait this long before trying again; default 5 min. */
  refreshRetryMs?: number;
  onRefreshError?: (error: CocoonError) => void;
}

/** What a stored entry holds on disk. */
export interface StoredCollateral {
  readonly fmspc: string;
  readonly pck_ca: PckCaType;
  readonly fetched_at: string;
  readonly expires_at: string;
  readonly source: string;
  readonly collateral: DcapCollateral;
}

interface PlatformKey {
  readonly fmspc: string;
  readonly pckCa: PckCaType;
  readonly id: string;
}

const collateralError = (message: string, cause?: unknown): CocoonError =>
  new CocoonError('CCN_ERR_ATTEST_COLLATERAL', message, cause === undefined ? {} : { cause });

const platformKey = (fmspc: string, pckCa: PckCaType): PlatformKey => {
  if (!/^[0-9A-F]{12}$/.test(fmspc)) throw collateralError(`invalid FMSPC "${fmspc}" (expected 12 hex digits)`);
  return { fmspc, pckCa, id: `tdx-${fmspc}-${pckCa}` };
};

export class CollateralStore implements CollateralSource {
  private readonly directory: string;
  private readonly pccsUrl: string;
  private readonly fetchCollateral: (quote: Buffer) => Promise<DcapCollateral>;
  private readonly refreshAheadMs: number;
  private readonly refreshRetryMs: number;
  private readonly onRefreshError: ((error: CocoonError) => void) | undefined;
  private readonly entries = new Map<string, StoredCollateral>();
  private readonly inFlight = new Map<string, Promise<StoredCollateral>>();
  private readonly refreshAttemptMs = new Map<string, number>();
  private readonly background = new Set<Promise<void>>();

  constructor(options: CollateralStoreOptions) {
    this.directory = options.directory;
    this.pccsUrl = options.pccsUrl ?? INTEL_PCS_URL;
    this.fetchCollateral = options.fetchCollateral ?? ((quote) => getCollateral(this.pccsUrl, quote) as Promise<DcapCollateral>);
    this.refreshAheadMs = options.refreshAheadMs ?? DEFAULT_REFRESH_AHEAD_MS;
    this.refreshRetryMs = options.refreshRetryMs ?? DEFAULT_REFRESH_RETRY_MS;
    this.onRefreshError = options.onRefreshError;
  }

  async get(quote: Buffer, now: Date): Promise<DcapCollateral> {
    const key = this.keyOfQuote(quote);
    const stored = this.entries.get(key.id) ?? (await this.load(key));
    if (stored && now.getTime() <= Date.parse(stored.expires_at)) {
      if (Date.parse(stored.expires_at) - now.getTime() <= this.refreshAheadMs) this.refreshInBackground(key, quote, now);
      return stored.collateral;
    }
    return (await this.fetchShared(key, quote, now)).collateral;
  }

  /** Stores collateral for a quote's platform, or for an FMSPC (the PCK CA type is read from the collateral). */
  async put(target: Buffer | string, collateral: DcapCollateral, now: Date = new Date(), source = 'import'): Promise<StoredCollateral> {
    const checked = parseDcapCollateral(collateral);
    const key = typeof target === 'string' ? platformKey(target.toUpperCase(), collateralPckCaType(checked)) : this.keyOfQuote(target);
    return this.save(key, checked, now, source);
  }

  /** Loads a recorded collateral JSON file (dcap-qvl format, or a stored entry) into the store. */
  async importFile(file: string, now: Date = new Date()): Promise<StoredCollateral> {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw collateralError(`cannot read collateral file ${file}: ${(error as Error).message}`, error);
    }
    const inner = typeof json === 'object' && json !== null && 'collateral' in json ? (json as { collateral: unknown }).collateral : json;
    const collateral = parseDcapCollateral(inner, `collateral file ${file}`);
    return this.put(readCollateralValidity(collateral).fmspc, collateral, now, `file:${file}`);
  }

  /** Resolves when no background refresh is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  private keyOfQuote(quote: Buffer): PlatformKey {
    const parsed = parseTdxQuote(quote);
    if (!parsed.fmspc || !parsed.pckCaType) {
      throw collateralError(`quote does not embed its PCK certificate chain (certification data type ${parsed.certificationDataType}); its platform FMSPC is unknown`);
    }
    return platformKey(parsed.fmspc, parsed.pckCaType);
  }

  private refreshInBackground(key: PlatformKey, quote: Buffer, now: Date): void {
    if (this.inFlight.has(key.id)) return;
    const lastAttempt = this.refreshAttemptMs.get(key.id);
    if (lastAttempt !== undefined && now.getTime() - lastAttempt < this.refreshRetryMs) return;
    this.refreshAttemptMs.set(key.id, now.getTime());
    const task = this.fetchShared(key, quote, now).then(
      () => undefined,
      (error: unknown) => this.onRefreshError?.(toCocoonError(error, 'CCN_ERR_ATTEST_COLLATERAL')),
    );
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }

  private fetchShared(key: PlatformKey, quote: Buffer, now: Date): Promise<StoredCollateral> {
    let pending = this.inFlight.get(key.id);
    if (!pending) {
      pending = this.fetchAndSave(key, quote, now).finally(() => this.inFlight.delete(key.id));
      this.inFlight.set(key.id, pending);
    }
    return pending;
  }

  private async fetchAndSave(key: PlatformKey, quote: Buffer, now: Date): Promise<StoredCollateral> {
    const where = `FMSPC ${key.fmspc} (${key.pckCa} CA) from ${this.pccsUrl}`;
    let collateral: DcapCollateral;
    try {
      collateral = parseDcapCollateral(await this.fetchCollateral(quote), `collateral fetched for ${where}`);
    } catch (error) {
      throw collateralError(`could not fetch DCAP collateral for ${where}: ${(error as Error).message}`, error);
    }
    const validity = readCollateralValidity(collateral);
    if (now.getTime() > validity.expiresAt.getTime()) {
      throw collateralError(`collateral fetched for ${where} already expired at ${validity.expiresAt.toISOString()} (now ${now.toISOString()})`);
    }
    const current = this.entries.get(key.id);
    if (current && Date.parse(current.expires_at) > validity.expiresAt.getTime()) return current; // never replace with older data
    return this.save(key, collateral, now, this.pccsUrl);
  }

  private async save(key: PlatformKey, collateral: DcapCollateral, now: Date, source: string): Promise<StoredCollateral> {
    const validity = readCollateralValidity(collateral);
    if (validity.fmspc !== key.fmspc) {
      throw collateralError(`collateral TCB info is for FMSPC ${validity.fmspc}, not ${key.fmspc}`);
    }
    const entry: StoredCollateral = {
      fmspc: key.fmspc, pck_ca: key.pckCa, fetched_at: now.toISOString(), expires_at: validity.expiresAt.toISOString(), source, collateral,
    };
    const file = this.fileOf(key);
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(this.directory, { recursive: true, mode: 0o700 });
      await writeFile(temporary, `${JSON.stringify(entry)}\n`, { mode: 0o600, flag: 'wx' });
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw collateralError(`cannot write collateral cache file ${file}: ${(error as Error).message}`, error);
    }
    this.entries.set(key.id, entry);
    return entry;
  }

  private async load(key: PlatformKey): Promise<StoredCollateral | undefined> {
    let text: string;
    try {
      text = await readFile(this.fileOf(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const json = JSON.parse(text) as StoredCollateral;
      const collateral = parseDcapCollateral(json.collateral);
      const entry: StoredCollateral = { ...json, collateral, expires_at: readCollateralValidity(collateral).expiresAt.toISOString() };
      if (!this.entries.has(key.id)) this.entries.set(key.id, entry); // a fetch may have finished meanwhile
      return this.entries.get(key.id);
    } catch {
      return undefined; // a corrupt cache file is ignored and replaced by the next fetch
    }
  }

  private fileOf(key: PlatformKey): string {
    return path.join(this.directory, `${key.id}.json`);
  }
}
