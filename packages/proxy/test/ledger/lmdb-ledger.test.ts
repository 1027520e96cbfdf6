/** Runs the ledger conformance suite against LmdbLedger (a fresh environment per test). */
import { LmdbLedger } from '../../src/ledger/index.ts';
import { runLedgerConformance } from './ledger-conformance.ts';
import { temporaryLedgerPath, testSigningKey } from './lmdb-ledger-support.ts';

runLedgerConformance('LmdbLedger', () => LmdbLedger.open({ path: temporaryLedgerPath(), signingKey: testSigningKey(7), now: () => 1_700_000_000_000 }));
