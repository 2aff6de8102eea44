export { parsePaste, tooLargeMessage, type ParseOptions } from './parse';
export type { WorkMeter } from './work';
export { normalisePaste } from './normalise';
export { isFrontId, KIND_BY_PREFIX, scanFrontIds, distinctIds } from './id-scan';
export { redactSecrets } from './excerpt';
export * from './types';
export { recheckInput, isRecheckInput, RECHECK_MARKER, type RecheckInputLimits } from './recheck-input';
export { wordingSet, NO_WORDINGS, type WordingSet } from './wordings';
