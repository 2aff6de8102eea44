export { diagnose, MAX_ERRORS_PER_PASTE, MAX_BARE_TARGETS, type DiagnoseDeps, type DiagnoseOutcome, type LiveAccess } from './diagnose';
export { diagnosesToText, diagnosisToText, AUDIENCE_TITLES } from './text';
export { pasteFacts, targetConversation } from './paste-facts';
export type { Diagnosis, DiagnosisReport, Evidence, Audience } from './types';
