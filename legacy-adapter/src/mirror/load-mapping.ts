/**
 * Loads a mapping module (MIRROR_MAPPING, or the contract kit's argument): a file path, resolved
 * from the working directory, of a module that exports `createMapping(sources)`. Unset: the
 * sample monolith's mapping. The apps run TypeScript through @swc-node/register, so a team's
 * `.ts` mapping loads as it is.
 */
import { resolve } from 'node:path';
import * as sampleMonolith from '../mappings/sample-monolith.mapping';
import {
  checkMappingSources,
  type LegacyMapping,
  type LegacyMappingModule,
  type MappingSources,
} from './legacy-mapping-port';

export const SAMPLE_MONOLITH_MAPPING = 'sample-monolith';

export function loadMapping(specifier: string | undefined, sources: MappingSources): LegacyMapping {
  const module: Partial<LegacyMappingModule> =
    !specifier || specifier === SAMPLE_MONOLITH_MAPPING
      ? sampleMonolith
      : // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module named at run time
        (require(resolve(specifier)) as Partial<LegacyMappingModule>);
  if (typeof module.createMapping !== 'function') {
    throw new Error(`${specifier}: a mapping module exports createMapping(sources)`);
  }
  return checkMappingSources(module.createMapping(sources));
}
