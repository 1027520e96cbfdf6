/**
 * Where a DCAP verifier gets the collateral for a quote: a CollateralSource (the on-disk
 * CollateralStore fetching from PCS/PCCS, or a StaticCollateralSource for tests and the CLI).
 */
import { parseDcapCollateral, type DcapCollateral } from './dcap-collateral.ts';

export interface CollateralSource {
  /** Collateral for the quote's platform (FMSPC, PCK CA) valid at `now`; rejects with CCN_ERR_ATTEST_COLLATERAL. */
  get(quote: Buffer, now: Date): Promise<DcapCollateral>;
}

/** Always returns one collateral object (a recorded file, a test fixture). */
export class StaticCollateralSource implements CollateralSource {
  private readonly collateral: DcapCollateral;

  constructor(collateral: DcapCollateral) {
    this.collateral = parseDcapCollateral(collateral);
  }

  async get(_quote: Buffer, _now: Date): Promise<DcapCollateral> {
    return this.collateral;
  }
}
