/**
 * A statement written once for every database: `sql` keeps the text and its values apart, and each driver renders
 * the placeholders its database wants ($1 for PostgreSQL, ? for SQLite). A value that is itself an `Sql` is spliced
 * in, so a fragment (a column list, a dialect's lock clause, an optional filter) composes without string building.
 */
export class Sql {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}

  /** The text with `placeholder(n)` for the n-th value (from 1), and the values in that order. */
  render(placeholder: (n: number) => string): { text: string; values: unknown[] } {
    const values: unknown[] = [];
    let text = '';
    const walk = (q: Sql): void => {
      q.strings.forEach((part, i) => {
        text += part;
        if (i >= q.values.length) return;
        const value = q.values[i];
        if (value instanceof Sql) return walk(value);
        values.push(value);
        text += placeholder(values.length);
      });
    };
    walk(this);
    return { text, values };
  }
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  return new Sql(strings, values);
}

/** Text that is part of the statement itself (a column list, a clause): never a value from outside. */
export function raw(text: string): Sql {
  return new Sql([text], []);
}

export const empty = raw('');

export function join(parts: readonly Sql[], separator: string): Sql {
  if (parts.length === 0) return empty;
  return new Sql(['', ...parts.slice(1).map(() => separator), ''], parts);
}

/** Values for `IN (…)`, each its own placeholder. */
export function list(values: readonly unknown[]): Sql {
  return join(
    values.map((v) => sql`${v}`),
    ', ',
  );
}

/** `AND`-joined conditions, leaving out those not asked for: `WHERE TRUE` stands when none is. */
export function where(conditions: readonly (Sql | false)[]): Sql {
  const present = conditions.filter((c): c is Sql => c !== false);
  return present.length === 0 ? raw('TRUE') : join(present, ' AND ');
}
