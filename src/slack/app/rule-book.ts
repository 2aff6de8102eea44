import type { Rule, RulesDirs } from '../../rules';
import { ruleFileCount } from '../../rules/cause-set';
import { checkRuleSet, formatLoadError, rulesDirsText } from '../../rules/rule-set';
import type { Logger } from '../../log';
import { errorFields } from '../send/failure';

/** What a reload did. On failure nothing changed: `serving` rules (the set loaded before) keep answering. */
export type RulesReload =
  | { ok: true; rules: number; previous: number; dir: string }
  | {
      ok: false;
      serving: number;
      dir: string;
      /** `file:line:col rule=<id>: message`, as `front-why rules lint` prints them. */ errors: string[];
    };

/**
 * The rule set the app diagnoses with, swappable while it serves. `current` is read once when a diagnosis
 * starts, and a reload replaces the array (never mutates it), so a diagnosis in flight finishes with the set it
 * started with. Loading is synchronous (a few dozen small files), so no diagnosis can see half a reload.
 */
export class RuleBook {
  private rules: Rule[];

  constructor(
    readonly dir: RulesDirs,
    initial: Rule[],
  ) {
    this.rules = initial;
  }

  get current(): Rule[] {
    return this.rules;
  }

  /** Loads every file in the rules folders again; all of it or none of it. */
  reload(): RulesReload {
    const dir = rulesDirsText(this.dir);
    const loaded = checkRuleSet(this.dir);
    if (!loaded.ok)
      return { ok: false, serving: ruleFileCount(this.rules), dir, errors: loaded.errors.map(formatLoadError) };
    const previous = ruleFileCount(this.rules);
    this.rules = loaded.rules;
    return { ok: true, rules: ruleFileCount(loaded.rules), previous, dir };
  }
}

/**
 * The app's reload: reloads `book`, logs the outcome with what asked for it (`trigger`: SIGHUP, slack, …) and
 * tells `onReloaded`, whose failure is logged and does not undo the reload.
 */
export function loggedReload(
  book: RuleBook,
  logger: Logger,
  onReloaded?: (result: RulesReload, trigger: string) => void,
): (trigger: string, fields?: Record<string, unknown>) => RulesReload {
  return (trigger, fields = {}) => {
    const result = book.reload();
    if (result.ok) {
      logger.info(
        { trigger, ...fields, rules: result.rules, previous: result.previous, dir: result.dir },
        'rules reloaded',
      );
    } else {
      logger.error(
        { trigger, ...fields, serving: result.serving, dir: result.dir, errors: result.errors },
        'rules reload failed; the rules already loaded keep serving',
      );
    }
    try {
      onReloaded?.(result, trigger);
    } catch (err) {
      logger.warn({ err: errorFields(err) }, 'could not record the rules reload');
    }
    return result;
  };
}
