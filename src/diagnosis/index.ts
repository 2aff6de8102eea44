export {
  diagnose,
  diagnoseParsed,
  MAX_ERRORS_PER_PASTE,
  MAX_BARE_TARGETS,
  type DiagnoseDeps,
  type DiagnoseOutcome,
  type LiveAccess,
} from './diagnose';
export { diagnosesToText, diagnosisToText, AUDIENCE_TITLES } from './text';
export { pasteFacts, targetConversation, targetOf } from './paste-facts';
export type { Diagnosis, DiagnosisReport, Evidence, Audience, OwnerFinding } from './types';
// A caller that diagnoses one paste twice (offline first, then live) reads it once and hands over the result.
export { type ParseResult } from '../input';
export { builtInWordings, parsePaste, wordingsOfRules } from './wordings';
