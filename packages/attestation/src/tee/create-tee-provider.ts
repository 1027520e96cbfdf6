/**
 * Builds the TeeProvider named by a node's `tee` setting: `none`, `fake_tdx` (reference interop),
 * `tdx` (configfs-tsm on a real TDX guest), `simulated` (dev root of trust; needs an authority
 * and the measured registers), `sev-snp` (configfs-tsm on a real SEV-SNP guest) or
 * `simulated-sev-snp` (the authority's dev SEV-SNP chain and a measurement).
 */
import { CocoonError } from '@cocoon/protocol';
import { SevSnpTsmProvider, type SevSnpTsmProviderOptions } from '../sev-snp/sev-snp-tsm-provider.ts';
import { SimulatedSevSnpProvider, type SimulatedSevSnpProviderOptions } from '../simulated/simulated-sev-snp-provider.ts';
import { SimulatedTdxProvider, type SimulatedTdxProviderOptions } from '../simulated/simulated-tdx-provider.ts';
import { ConfigfsTsmProvider, type ConfigfsTsmProviderOptions } from './configfs-tsm-provider.ts';
import { FakeTdxProvider, NoTeeProvider, type TeeProvider } from './tee-provider.ts';

export const TEE_PROVIDER_KINDS = ['none', 'fake_tdx', 'tdx', 'simulated', 'sev-snp', 'simulated-sev-snp'] as const;
export type TeeProviderKind = (typeof TEE_PROVIDER_KINDS)[number];

export interface TeeProviderFactoryOptions {
  configfsTsm?: ConfigfsTsmProviderOptions;
  simulated?: Partial<SimulatedTdxProviderOptions>;
  sevSnp?: SevSnpTsmProviderOptions;
  simulatedSevSnp?: Partial<SimulatedSevSnpProviderOptions>;
}

export function createTeeProvider(kind: string, options: TeeProviderFactoryOptions = {}): TeeProvider {
  switch (kind) {
    case 'none':
      return new NoTeeProvider();
    case 'fake_tdx':
      return new FakeTdxProvider();
    case 'tdx':
      return new ConfigfsTsmProvider(options.configfsTsm);
    case 'simulated': {
      const { authority, measurements } = options.simulated ?? {};
      if (!authority) {
        throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'tee simulated needs a dev attestation authority (generate one for the dev network)', { param: 'tee' });
      }
      if (!measurements) {
        throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'tee simulated needs the measured registers (measureRunnerImage)', { param: 'tee' });
      }
      return new SimulatedTdxProvider({ authority, measurements });
    }
    case 'sev-snp':
      return new SevSnpTsmProvider(options.sevSnp);
    case 'simulated-sev-snp': {
      const { authority, measurement, guestPolicy } = options.simulatedSevSnp ?? {};
      if (!authority) {
        throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'tee simulated-sev-snp needs the SEV-SNP chain of a dev attestation authority (cocoon dev generates one)', { param: 'tee' });
      }
      if (!measurement) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'tee simulated-sev-snp needs the launch measurement (measureSimulatedSevSnpRunner)', { param: 'tee' });
      return new SimulatedSevSnpProvider({ authority, measurement, guestPolicy });
    }
    default:
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `unknown tee kind '${kind}' (expected one of ${TEE_PROVIDER_KINDS.join(', ')})`, { param: 'tee' });
  }
}
