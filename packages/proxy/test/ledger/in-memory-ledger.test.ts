/** Runs the ledger conformance suite against InMemoryLedger. */
import { InMemoryLedger } from '../../src/ledger/index.ts';
import { runLedgerConformance } from './ledger-conformance.ts';

runLedgerConformance('InMemoryLedger', async () => new InMemoryLedger());
