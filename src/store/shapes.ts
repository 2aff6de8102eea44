/**
 * The few value shapes the store checks its arguments against (inputs.ts), with the parts of zod's interface those
 * declarations use and zod's messages for what they leave to the default. The store is opened by every start of
 * `serve`, and zod is about a hundred modules: too many to load for checking names, ids and dates.
 *
 * A check stops at the first problem (the store reports only that one), in the order zod would report it: an
 * object's fields in declaration order, then the checks chained on a value in the order they were chained.
 */

/** A message, or how to write it from the refused value. */
export type Message = string | ((issue: { input: unknown }) => string);
interface Options {
  error?: Message;
}

/**
 * A refused value: thrown inside a check, caught by `safeParse`; the path is filled in on the way out. `chained`: a
 * check chained on the value refused it, not its type (a union reports such an alternative's own message).
 */
class Refused {
  readonly path: (string | number)[] = [];
  constructor(
    readonly message: string,
    readonly chained = false,
  ) {}
}

function refuse(error: Message | undefined, input: unknown, fallback: () => string, chained = false): never {
  const message = error === undefined ? fallback() : typeof error === 'string' ? error : error({ input });
  throw new Refused(message, chained);
}

/** How zod names a value's type in "received …": an object that is not plain by its class. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    const { constructor } = value;
    if (proto !== Object.prototype && proto !== null && typeof constructor === 'function') return constructor.name;
  }
  return typeof value;
}

const wrongType = (expected: string, input: unknown) => () =>
  `Invalid input: expected ${expected}, received ${typeName(input)}`;

export type SafeParse<T> =
  { success: true; data: T } | { success: false; error: { issues: { message: string; path: (string | number)[] }[] } };

export class Schema<Out, In = Out> {
  /** Types only: what the schema accepts and what it gives. */
  declare readonly _in: In;
  declare readonly _out: Out;

  constructor(readonly parse: (value: unknown) => Out) {}

  safeParse(value: unknown): SafeParse<Out> {
    try {
      return { success: true, data: this.parse(value) };
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      return { success: false, error: { issues: [{ message: err.message, path: err.path }] } };
    }
  }

  refine(ok: (value: Out) => boolean, options: Options = {}): Schema<Out, In> {
    return new Schema((value) => {
      const out = this.parse(value);
      if (!ok(out)) refuse(options.error, out, () => 'Invalid input', true);
      return out;
    });
  }

  transform<T>(to: (value: Out) => T): Schema<T, In> {
    return new Schema((value) => to(this.parse(value)));
  }

  pipe<T>(next: Schema<T, Out>): Schema<T, In> {
    return new Schema((value) => next.parse(this.parse(value)));
  }

  nullable(): Schema<Out | null, In | null> {
    return new Schema((value) => (value === null ? null : this.parse(value)));
  }

  optional(): Schema<Out | undefined, In | undefined> {
    return new Schema((value) => (value === undefined ? undefined : this.parse(value)));
  }

  nullish(): Schema<Out | null | undefined, In | null | undefined> {
    return new Schema((value) => (value === null || value === undefined ? value : this.parse(value)));
  }

  /** Like zod's: an absent value is `fallback` as it is, not checked. */
  default(fallback: Out): Schema<Out, In | undefined> {
    return new Schema((value) => (value === undefined ? fallback : this.parse(value)));
  }
}

/** A check chained on a string or a number: the value is of the type already. */
type Check<T> = (value: T) => void;

function checked<T>(base: (value: unknown) => T, checks: readonly Check<T>[]) {
  return (value: unknown): T => {
    const out = base(value);
    for (const check of checks) check(out);
    return out;
  };
}

export class StringSchema extends Schema<string> {
  constructor(
    private readonly options: Options = {},
    private readonly checks: readonly Check<string>[] = [],
  ) {
    super(
      checked((value) => {
        if (typeof value !== 'string') refuse(options.error, value, wrongType('string', value));
        return value;
      }, checks),
    );
  }

  private with(check: Check<string>): StringSchema {
    return new StringSchema(this.options, [...this.checks, check]);
  }

  min(length: number, options: Options = {}): StringSchema {
    return this.with((v) => {
      if (v.length < length)
        refuse(options.error, v, () => `Too small: expected string to have >=${length} characters`, true);
    });
  }

  max(length: number, options: Options = {}): StringSchema {
    return this.with((v) => {
      if (v.length > length)
        refuse(options.error, v, () => `Too big: expected string to have <=${length} characters`, true);
    });
  }
}

export class NumberSchema extends Schema<number> {
  constructor(
    private readonly options: Options = {},
    private readonly checks: readonly Check<number>[] = [],
  ) {
    super(
      checked((value) => {
        if (typeof value !== 'number' || !Number.isFinite(value))
          refuse(options.error, value, wrongType('number', value));
        return value;
      }, checks),
    );
  }

  private with(check: Check<number>): NumberSchema {
    return new NumberSchema(this.options, [...this.checks, check]);
  }

  /** A whole number within the safe range, as zod's `int()`. */
  int(options: Options = {}): NumberSchema {
    return this.with((v) => {
      if (!Number.isSafeInteger(v))
        refuse(options.error, v, () => 'Invalid input: expected int, received number', true);
    });
  }

  min(bound: number, options: Options = {}): NumberSchema {
    return this.with((v) => {
      if (v < bound) refuse(options.error, v, () => `Too small: expected number to be >=${bound}`, true);
    });
  }

  max(bound: number, options: Options = {}): NumberSchema {
    return this.with((v) => {
      if (v > bound) refuse(options.error, v, () => `Too big: expected number to be <=${bound}`, true);
    });
  }

  positive(options: Options = {}): NumberSchema {
    return this.with((v) => {
      if (v <= 0) refuse(options.error, v, () => 'Too small: expected number to be >0', true);
    });
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySchema = Schema<any, any>;
export type Shape = Record<string, AnySchema>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** Fields that may be left out are optional, as in zod's inferred types. */
type Fields<S extends Shape, Side extends '_in' | '_out'> = Simplify<
  { [K in keyof S as undefined extends S[K][Side] ? never : K]: S[K][Side] } & {
    [K in keyof S as undefined extends S[K][Side] ? K : never]?: S[K][Side];
  }
>;

export type Input<S extends AnySchema> = S['_in'];
export type Output<S extends AnySchema> = S['_out'];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export class ObjectSchema<S extends Shape> extends Schema<Fields<S, '_out'>, Fields<S, '_in'>> {
  constructor(
    readonly shape: S,
    options: Options & { unknownKey?: (key: string) => string } = {},
  ) {
    const keys = Object.keys(shape);
    super((value) => {
      if (!isObject(value)) refuse(options.error, value, wrongType('object', value));
      const out: Record<string, unknown> = {};
      for (const key of keys) {
        let field: unknown;
        try {
          field = (shape[key] as AnySchema).parse(value[key]);
        } catch (err) {
          if (err instanceof Refused) err.path.unshift(key);
          throw err;
        }
        // As zod: a field left out stays out unless its schema gave it a value (a default, null for "none").
        if (field !== undefined || key in value) out[key] = field;
      }
      if (options.unknownKey) {
        const unknown = Object.keys(value).find((key) => !(key in shape));
        if (unknown !== undefined) throw new Refused(options.unknownKey(unknown));
      }
      return out as Fields<S, '_out'>;
    });
  }

  extend<E extends Shape>(more: E): ObjectSchema<Omit<S, keyof E> & E> {
    return new ObjectSchema({ ...this.shape, ...more } as Omit<S, keyof E> & E);
  }
}

export class ArraySchema<E extends AnySchema> extends Schema<E['_out'][], E['_in'][]> {
  constructor(
    private readonly element: E,
    private readonly options: Options = {},
    maxItems?: { count: number; options: Options },
  ) {
    super((value) => {
      if (!Array.isArray(value)) refuse(options.error, value, wrongType('array', value));
      const out = value.map((item: unknown, i) => {
        try {
          return element.parse(item) as E['_out'];
        } catch (err) {
          if (err instanceof Refused) err.path.unshift(i);
          throw err;
        }
      });
      if (maxItems && out.length > maxItems.count)
        refuse(maxItems.options.error, out, () => `Too big: expected array to have <=${maxItems.count} items`, true);
      return out;
    });
  }

  max(count: number, options: Options = {}): ArraySchema<E> {
    return new ArraySchema(this.element, this.options, { count, options });
  }
}

type Literal = string | number | boolean | null;

/** The builders, named as zod's. */
export const is = {
  string: (options?: Options) => new StringSchema(options),
  number: (options?: Options) => new NumberSchema(options),
  boolean: (options: Options = {}) =>
    new Schema<boolean>((value) => {
      if (typeof value !== 'boolean') refuse(options.error, value, wrongType('boolean', value));
      return value;
    }),
  /** A valid Date (not an Invalid Date), never coerced. */
  date: (options: Options = {}) =>
    new Schema<Date>((value) => {
      if (!(value instanceof Date) || Number.isNaN(value.getTime()))
        refuse(options.error, value, wrongType('date', value));
      return value;
    }),
  literal: <T extends Literal>(literal: T) =>
    new Schema<T>((value) => {
      if (value !== literal) refuse(undefined, value, () => `Invalid input: expected ${JSON.stringify(literal)}`);
      return literal;
    }),
  enum: <const T extends readonly string[]>(values: T, options: Options = {}) =>
    new Schema<T[number]>((value) => {
      if (!values.includes(value as string))
        refuse(
          options.error,
          value,
          () => `Invalid option: expected one of ${values.map((s) => JSON.stringify(s)).join('|')}`,
        );
      return value as T[number];
    }),
  /**
   * The first alternative that accepts the value. When none does, and only one took it for its type (a check
   * chained on it refused it), that one's message, as zod gives it.
   */
  union: <const T extends readonly AnySchema[]>(alternatives: T, options: Options = {}) =>
    new Schema<T[number]['_out'], T[number]['_in']>((value) => {
      const chained: Refused[] = [];
      for (const alternative of alternatives) {
        try {
          return alternative.parse(value) as T[number]['_out'];
        } catch (err) {
          if (!(err instanceof Refused)) throw err;
          if (err.chained) chained.push(err);
        }
      }
      if (chained.length === 1) throw chained[0];
      return refuse(options.error, value, () => 'Invalid input');
    }),
  array: <E extends AnySchema>(element: E, options?: Options) => new ArraySchema(element, options),
  object: <S extends Shape>(shape: S, options?: Options) => new ObjectSchema(shape, options),
  /** An object that refuses fields it does not declare: `unknownKey` says so. */
  strictObject: <S extends Shape>(shape: S, unknownKey: (key: string) => string) =>
    new ObjectSchema(shape, { unknownKey }),
};
