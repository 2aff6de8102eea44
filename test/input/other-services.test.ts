import { onlyError, parsed } from './helpers';

describe("another service's error is not read as Front's", () => {
  it.each([
    [
      'a requests HTTPError for another host',
      'HTTPError: 403 Client Error: Forbidden for url: https://api.tech26.de/oauth/token',
    ],
    [
      'a status and reason next to a link to another API',
      'GET https://api.example.org/v1/users failed: 401 Unauthorized',
    ],
    ["another vendor's API exception class", 'Heroku::API::Errors::Forbidden: Expected(200) <=> Actual(403 Forbidden)'],
    [
      'a generic Front-like wording on a line about another host',
      'POST https://api.example.org/v2/send 429: Rate limit exceeded, retry later',
    ],
  ])('%s', (_name, paste) => {
    expect(parsed(paste).errors).toEqual([]);
  });

  it("reads the same line when it links to Front's API", () => {
    const error = onlyError(
      'HTTPError: 403 Client Error: Forbidden for url: https://api2.frontapp.com/conversations/cnv_p1',
    );
    expect([error.status, error.request?.path]).toEqual([403, '/conversations/cnv_p1']);
  });

  it('reads it when the only other host is local (a proxy, the sandbox)', () => {
    expect(onlyError('GET http://127.0.0.1:8080/conversations/cnv_p1 -> 403 Forbidden').status).toBe(403);
  });

  it("keeps Front's own words even on a line that names another host", () => {
    const error = onlyError(
      'sync failed (see https://status.example.org): Token lacks the required `conversations:read` scope',
    );
    expect([error.status, error.statusInferred]).toEqual([403, true]);
  });
});
