import { check, channelSettings, newWatch, watchQuery, windowKey } from '../../src/store/inputs';
import { is } from '../../src/store/shapes';
import { isStoreError } from '../../src/store';

/** The message of the `invalid_input` error `check` throws for `value`. */
function problem(schema: Parameters<typeof check>[0], value: unknown): string {
  try {
    check(schema, value);
  } catch (err) {
    if (isStoreError(err, 'invalid_input')) return err.message;
    throw err;
  }
  throw new Error('accepted');
}

const T0 = new Date('2026-12-07T10:00:00Z');
const watch = {
  tenant: 'acme',
  teamId: 'T1',
  channelId: 'C1',
  threadTs: '1710000000.000100',
  target: 'cnv_1',
  label: 'cnv_1',
  cause: 'teammate_api_access_disabled',
  startedBy: 'U1',
  startedAt: T0,
  nextCheckAt: T0,
  expiresAt: new Date(T0.getTime() + 1000),
};

test('the first problem is reported, fields in the order they are declared, with the path zod would give', () => {
  expect(problem(newWatch, { ...watch, threadTs: 'yesterday', target: ' ' })).toMatch(/^threadTs must be a Slack/);
  expect(problem(newWatch, { ...watch, expiresAt: T0 })).toBe('a watch must expire after it starts');
  const items = is.object({ scopes: is.array(is.string()) });
  expect(problem(items, { scopes: ['a', 2] })).toBe('scopes.1: Invalid input: expected string, received number');
  expect(problem(items, 'scopes')).toBe('Invalid input: expected object, received string');
});

test('defaults fill a field left out, an optional one stays out, and undeclared fields are dropped', () => {
  expect(check(watchQuery, { extra: 1 })).toEqual({ state: 'active', limit: 100 });
  expect('teamId' in check(watchQuery, {})).toBe(false);
  expect(check(watchQuery, { limit: 5000 }).limit).toBe(1000);
  expect(check(newWatch, watch)).toMatchObject({ defaultToken: false, owner: null });
});

test('a strict object names the field it does not know; a union reports the alternative that took the value', () => {
  expect(problem(channelSettings, { listen: true, lisen: false })).toBe('unknown channel setting "lisen"');
  expect(check(windowKey, '(default)')).toBe('(default)');
  expect(problem(windowKey, 'Acme')).toMatch(/^tenant name "Acme" is not valid/);
  expect(problem(windowKey, 3)).toBe('Invalid input');
});

test('numbers are finite and dates valid', () => {
  const whole = is.number().int().min(1);
  expect(problem(whole, Infinity)).toBe('Invalid input: expected number, received Infinity');
  expect(problem(whole, 1.5)).toBe('Invalid input: expected int, received number');
  expect(problem(whole, 0)).toBe('Too small: expected number to be >=1');
  expect(problem(is.date({ error: 'at must be a valid Date' }), new Date(Number.NaN))).toBe('at must be a valid Date');
});
