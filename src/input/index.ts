export { parsePaste } from './parse';
export { normalisePaste } from './normalise';
export { isFrontId, KIND_BY_PREFIX, scanFrontIds, distinctIds } from './ids';
export { redactSecrets } from './excerpt';
export * from './types';
