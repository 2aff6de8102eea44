import * as P from './pastes';
import { fields, onlyError, parsed } from './helpers';

describe('curl -i and curl -v output', () => {
  it('reads curl -i: HTTP/2 status line, lower-case headers, JSON body', () => {
    expect(fields(onlyError(P.curlIncludeForbidden))).toEqual({
      format: 'http',
      status: 403,
      title: 'Forbidden',
      message: P.NOT_ALLOWED_MESSAGE,
      resource: { verb: 'read', kind: 'conversation', id: 'cnv_yo1kg5q' },
      rateLimit: { limit: 50, remaining: 49, reset: 1716214000 },
      ids: ['cnv_yo1kg5q'],
    });
  });

  it('reads HTTP/1.1 with a reason phrase and Title-Case rate-limit headers', () => {
    expect(fields(onlyError(P.curlIncludeRateLimited))).toEqual({
      format: 'http',
      status: 429,
      title: 'Too many requests',
      message: 'Rate limit exceeded for tier-2 route. Please retry in 341 milliseconds.',
      rateLimit: { limit: 100, remaining: 12, reset: 1716214032, retryAfter: 1, tier: 'tier-2' },
      ids: [],
    });
  });

  it('reads curl -v: request line before, `<` headers, body glued to curl chatter; the token stays out of the excerpt', () => {
    const error = onlyError(P.curlVerbose);
    expect(fields(error)).toEqual({
      format: 'http',
      status: 403,
      title: 'Forbidden',
      message: P.NOT_ALLOWED_MESSAGE,
      resource: { verb: 'read', kind: 'conversation', id: 'cnv_yo1kg5q' },
      request: { method: 'GET', path: '/conversations/cnv_yo1kg5q' },
      rateLimit: { limit: 100, remaining: 99, reset: 1716214101 },
      ids: ['cnv_yo1kg5q'],
    });
    expect(error.excerpt.startsWith('HTTP/2 403')).toBe(true);
    expect(error.excerpt).not.toMatch(/eyJ/);
  });

  it('reports a 301 with its Location, and nothing for the 200 it was followed to', () => {
    const { errors, ids } = parsed(P.curlVerboseMerged);
    expect(errors.map(fields)).toEqual([
      {
        format: 'http',
        status: 301,
        request: { method: 'GET', path: '/conversations/cnv_old1' },
        location: 'https://api2.frontapp.com/conversations/cnv_new2',
        ids: ['cnv_old1', 'cnv_new2'],
      },
    ]);
    expect(ids.map((i) => i.id)).toEqual(['cnv_old1', 'cnv_new2']);
  });

  it('takes the method from the curl command line (-X) when there is no -v', () => {
    expect(fields(onlyError(P.curlCommandDelete))).toEqual({
      format: 'http',
      status: 404,
      title: 'Not Found',
      message: 'Unknown tag ID tag_4b1c',
      resource: { kind: 'tag', id: 'tag_4b1c' },
      request: { method: 'DELETE', path: '/tags/tag_4b1c' },
      ids: ['tag_4b1c'],
    });
  });

  it('defaults a curl command without -X to GET, or POST when it sends data', () => {
    const get = 'curl -s -i https://api2.frontapp.com/conversations/cnv_g1\nHTTP/2 404\n\n{"_error":{"status":404}}';
    const post = `curl -i https://api2.frontapp.com/conversations/cnv_p1/messages -d '{"body":"hi"}'\nHTTP/2 403\n\n{"_error":{"status":403}}`;
    expect(onlyError(get).request).toEqual({ method: 'GET', path: '/conversations/cnv_g1' });
    expect(onlyError(post).request).toEqual({ method: 'POST', path: '/conversations/cnv_p1/messages' });
  });

  it('reads a status line with no headers or body', () => {
    expect(fields(onlyError('HTTP/2 401'))).toEqual({ format: 'http', status: 401, ids: [] });
  });

  it('uses a plain-text body as the message', () => {
    expect(onlyError('HTTP/1.1 401 Unauthorized\ncontent-type: text/plain\n\nJSON Web Token error')).toMatchObject({
      format: 'http',
      status: 401,
      title: 'Unauthorized',
      message: 'JSON Web Token error',
    });
  });

  it('reads headers as Python and Ruby print them when there is no status line', () => {
    const python =
      "headers={'Retry-After': '3', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Limit': '200'}\n" +
      'body={"_error":{"status":429,"title":"Too many requests"}}';
    expect(onlyError(python).rateLimit).toEqual({ limit: 200, remaining: 0, retryAfter: 3 });
  });

  it('keeps two responses of one curl -v run apart', () => {
    const paste = [
      '> GET /conversations/cnv_r1 HTTP/2',
      '< HTTP/2 429',
      '< retry-after: 1',
      '< x-front-tier: tier-2',
      '<',
      '{"_error":{"status":429,"title":"Too many requests","message":"Rate limit exceeded for tier-2 route. Please retry in 900 milliseconds."}}',
      '> GET /conversations/cnv_r1/inboxes HTTP/2',
      '< HTTP/2 403',
      '<',
      '{"_error":{"status":403,"title":"Forbidden","message":"Token lacks the required `inboxes:read` scope"}}',
    ].join('\n');
    const { errors } = parsed(paste);
    expect(errors.map((e) => [e.status, e.request?.path, e.rateLimit])).toEqual([
      [429, '/conversations/cnv_r1', { retryAfter: 1, tier: 'tier-2' }],
      [403, '/conversations/cnv_r1/inboxes', undefined],
    ]);
  });

  it('reads a response copied from browser dev tools', () => {
    const paste = [
      'Request URL: https://api2.frontapp.com/conversations/cnv_ab12/messages',
      'Request Method: POST',
      'Status Code: 429 Too Many Requests',
      'retry-after: 4',
      'x-ratelimit-remaining: 0',
      '',
      '{"_error":{"status":429,"title":"Too many requests","message":"Rate limit exceeded for tier-3 route. Please retry in 4000 milliseconds."}}',
    ].join('\n');
    expect(fields(onlyError(paste))).toEqual({
      format: 'json',
      status: 429,
      title: 'Too many requests',
      message: 'Rate limit exceeded for tier-3 route. Please retry in 4000 milliseconds.',
      request: { method: 'POST', path: '/conversations/cnv_ab12/messages' },
      rateLimit: { remaining: 0, retryAfter: 4 },
      ids: ['cnv_ab12'],
    });
  });

  it('reads a 2xx response and the error response after it', () => {
    const paste = [
      'HTTP/2 200',
      'content-type: application/json',
      '',
      '{"_results":[],"subject":"HTTP/1.1 403 Forbidden"}',
      'HTTP/2 404',
      '',
      '{"_error":{"status":404,"title":"Not found","message":"Unknown teammate ID tea_zz1"}}',
    ].join('\n');
    expect(fields(onlyError(paste))).toEqual({
      format: 'http',
      status: 404,
      title: 'Not found',
      message: 'Unknown teammate ID tea_zz1',
      resource: { kind: 'teammate', id: 'tea_zz1' },
      ids: ['tea_zz1'],
    });
  });

  it('does not take a later, unrelated envelope as the body of a response', () => {
    const paste =
      'HTTP/2 404\ncontent-type: application/json\n\nAnd this one came from the other integration yesterday:\n{"_error":{"status":403,"title":"Forbidden"}}';
    const { errors } = parsed(paste);
    expect(errors.map((e) => [e.format, e.status])).toEqual([
      ['http', 404],
      ['json', 403],
    ]);
  });
});

describe('HTML error pages from the edge', () => {
  it('reads an nginx 502 page under an HTTP/1.1 status line', () => {
    expect(fields(onlyError(P.nginxBadGateway))).toEqual({
      format: 'html',
      status: 502,
      title: 'Bad Gateway',
      message: '502 Bad Gateway nginx',
      ids: [],
    });
  });

  it('reads a Cloudflare-style 503 page with no status line: status from the <title>, scripts and styles left out', () => {
    const error = onlyError(P.cloudflarePage);
    expect(fields(error)).toEqual({
      format: 'html',
      status: 503,
      title: 'Service temporarily unavailable',
      message: 'Service temporarily unavailable Error code 503 Visit cloudflare.com for more information.',
      ids: [],
    });
    expect(error.excerpt.length).toBeLessThanOrEqual(300);
  });

  it('reads a page whose title is only the reason phrase', () => {
    const page =
      '<html><head><title>Service Unavailable</title></head><body><p>The server is temporarily unable to service your request.</p></body></html>';
    expect(onlyError(page)).toMatchObject({ format: 'html', status: 503, title: 'Service Unavailable' });
  });

  it('reads the status from the page text when the title has none', () => {
    const page =
      '<!doctype html><html><head><title>Oops</title></head><body><h1>Error 504</h1><p>Gateway timed out</p></body></html>';
    expect(onlyError(page)).toMatchObject({ format: 'html', status: 504 });
  });

  it('reads a page Slack escaped', () => {
    const escaped =
      '&lt;html&gt;&lt;head&gt;&lt;title&gt;502 Bad Gateway&lt;/title&gt;&lt;/head&gt;&lt;body&gt;&lt;h1&gt;502 Bad Gateway&lt;/h1&gt;&lt;/body&gt;&lt;/html&gt;';
    expect(onlyError(escaped)).toMatchObject({ format: 'html', status: 502, title: 'Bad Gateway' });
  });

  it('does not report an ordinary page', () => {
    expect(parsed('<html><head><title>Front</title></head><body>Welcome back</body></html>').errors).toEqual([]);
    expect(
      parsed(
        'HTTP/2 200\ncontent-type: text/html\n\n<html><head><title>Front</title></head><body>403 Forbidden is a status code</body></html>',
      ).errors,
    ).toEqual([]);
  });
});
