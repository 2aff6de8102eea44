import { parseFrontError } from '../../src/front';

describe('parseFrontError', () => {
  test('the full envelope', () => {
    expect(
      parseFrontError({
        _error: {
          status: 400,
          title: 'Bad request',
          message: 'Body did not satisfy requirements',
          details: ['body.to must be an array'],
        },
      }),
    ).toEqual({
      status: 400,
      title: 'Bad request',
      message: 'Body did not satisfy requirements',
      details: ['body.to must be an array'],
    });
  });

  test('partial envelopes keep what is there', () => {
    expect(parseFrontError({ _error: { status: 404, title: 'Not found' } })).toEqual({
      status: 404,
      title: 'Not found',
    });
    expect(parseFrontError({ _error: { message: 'Unexpected token } in JSON at position 12' } })).toEqual({
      message: 'Unexpected token } in JSON at position 12',
    });
  });

  test('wrong types are dropped, a numeric-string status is read', () => {
    expect(parseFrontError({ _error: { status: '403', title: 7, message: ['x'], details: 'one detail' } })).toEqual({
      status: 403,
      details: ['one detail'],
    });
    expect(parseFrontError({ _error: { details: [1, 'ok', null, '  '] } })).toEqual({ details: ['ok'] });
  });

  test.each([
    null,
    undefined,
    'text',
    42,
    [],
    {},
    { _error: null },
    { _error: [] },
    { _error: 'Forbidden' },
    { _error: {} },
    { error: { message: 'x' } },
  ])('nothing usable in %j gives undefined', (body) => {
    expect(parseFrontError(body)).toBeUndefined();
  });
});
