import { createFrontClient, DEFAULT_FRONT_BASE_URL, validateBaseUrl } from '../../src/front';

describe('validateBaseUrl', () => {
  test.each([
    [DEFAULT_FRONT_BASE_URL, 'https://api2.frontapp.com/'],
    ['https://api2.frontapp.com/', 'https://api2.frontapp.com/'],
    ['https://proxy.example.com/front/', 'https://proxy.example.com/front'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/'],
    ['http://127.9.9.9', 'http://127.9.9.9/'],
    ['http://127.1:3000', 'http://127.0.0.1:3000/'],
    ['http://[::1]:3000', 'http://[::1]:3000/'],
    ['http://localhost:4000/', 'http://localhost:4000/'],
    ['http://LOCALHOST:4000', 'http://localhost:4000/'],
  ])('accepts %s', (input, href) => {
    const result = validateBaseUrl(input);
    expect(result.ok && result.url.href).toBe(href);
  });

  test.each<[string, RegExp]>([
    ['http://api2.frontapp.com', /must use https: plain http is only allowed for loopback hosts/],
    ['http://10.0.0.5:8080', /must use https/],
    ['http://localhost.evil.example', /must use https/],
    ['http://127.0.0.1.nip.io', /must use https/],
    ['http://128.0.0.1', /must use https/],
    ['ftp://api2.frontapp.com', /must use https/],
    ['https://user:secret@api2.frontapp.com', /must not contain a user name or password/],
    ['https://api2.frontapp.com/?token=x', /must not contain a query/],
    ['https://api2.frontapp.com/#x', /fragment/],
    ['api2.frontapp.com', /not an absolute URL/],
    ['', /not an absolute URL/],
  ])('refuses %s', (input, message) => {
    const result = validateBaseUrl(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  test('never echoes credentials from a refused URL', () => {
    const result = validateBaseUrl('http://user:hunter2-secret@api.example.com');
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  test('createFrontClient refuses a bad base URL before anything is sent', () => {
    expect(() => createFrontClient({ baseUrl: 'http://api2.frontapp.com', token: 'x'.repeat(20) })).toThrow(
      /must use https/,
    );
  });
});
