/**
 * Builds the TeeProvider named by a node's `tee` setting: `none`, `fake_tdx` (reference interop),
 * `tdx` (configfs-tsm on a real TDX guest) or `simulated` (dev root of trust; needs an authority
 * and the measured registers).
 */
import { CocoonError } from '@cocoon/protocol';
import { SimulatedTdxProvider, type SimulatedTdxProviderOptions } from '../simulated/simulated-tdx-provider.ts';
import { ConfigfsTsmProvider, type ConfigfsTsmProviderOptions } from './configfs-tsm-provider.ts';
import { FakeTdxProvider, NoTeeProvider, type TeeProvider } from './tee-provider.ts';

export const TEE_PROVIDER_KINDS = ['none', 'fake_tdx', 'tdx', 'simulated'] as const;
export type TeeProviderKind = (typeof TEE_PROVIDER_KINDS)[number];

export interface TeeProviderFactoryOptions {
  configfsTsm?: ConfigfsTsmProviderOptions;
  simulated?: Partial<SimulatedTdxProviderOptions>;
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
    default:
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `unknown tee kind '${kind}' (expected one of ${TEE_PROVIDER_KINDS.join(', ')})`, { param: 'tee' });
  }
}
