export { UNKNOWN, type FactSource, type FactValue } from './source';
export {
  conditionSchema,
  ruleSchema,
  OPERATORS,
  RULE_ID,
  type Condition,
  type LeafCondition,
  type RuleTestDraft,
  type Operator,
  type Rule,
  type TextLine,
  type Scalar,
} from './schema';
export {
  formatLoadError,
  loadRulesOrThrow,
  rulesDirsText,
  type RulesDirs,
  RULE_EXTENSION,
  RuleSetError,
  type LoadResult,
  type RuleLoadError,
  type RuleSetOptions,
} from './rule-set';
export { loadRules, parseRuleText, type ParseResult } from './loader';
export {
  evaluateRule,
  matchRules,
  type ConditionTrace,
  type MatchOptions,
  type RuleEvaluation,
  type RuleMatch,
  type Truth,
} from './engine';
export { MAX_VALUE_LENGTH, PLACEHOLDER, renderTemplate, templateFields } from './template';
export { renderRuleText, textFacts, type DiagnosisState, type RuleText } from './text';
export { formatExampleFailure, runRuleExamples, type ExampleFailure, type ExampleSourceFactory } from './examples';
export { loadRuleTests, TEST_SUFFIX, type RuleTest, type RuleTestsResult } from './rule-tests';
export { describeFacts } from './facts-doc';
export { compileRegex } from './regex';
export { causesOf, declarationOf, hasTrait, ruleFileCount, ruleFilesText } from './cause-set';
export { type CauseDeclaration } from './schema';
export { OWNER_FIELD, TRAITS, type Trait } from './cause-set';
