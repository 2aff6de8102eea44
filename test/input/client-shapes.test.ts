import { onlyError, parsed } from './helpers';

describe('client one-liners and wrappers', () => {
  it("reads axios' status in words when the paste is about Front", () => {
    const paste = [
      'Front sync failed: AxiosError: Request failed with status code 429',
      "{ 'retry-after': '20', 'x-ratelimit-remaining': '0' }",
    ].join('\n');
    const error = onlyError(paste);
    expect([error.status, error.rateLimit]).toEqual([429, { retryAfter: 20, remaining: 0 }]);
  });

  it("leaves axios' status in words alone when nothing in the paste is Front", () => {
    expect(parsed('AxiosError: Request failed with status code 404\n    at settle (axios.cjs:2049:12)').errors).toEqual(
      [],
    );
  });

  it("reads a no-code tool's status, reason and message", () => {
    const error = onlyError('Front: List conversations failed (HTTP Status: 401) Unauthenticated: Invalid token');
    expect([error.status, error.title, error.message]).toEqual([401, 'Unauthenticated', 'Invalid token']);
  });

  it('takes a status a tool appends after the wording, and keeps it out of the message', () => {
    const error = onlyError('Rate limit exceeded. Please retry in 20 seconds. (HTTP Status: 429)');
    expect([error.status, error.message]).toEqual([429, 'Rate limit exceeded. Please retry in 20 seconds.']);
  });

  it('takes a status in parentheses right after the wording, and keeps it out of the message', () => {
    const error = onlyError('Error: Rate limit exceeded (429)');
    expect([error.status, error.statusInferred, error.message]).toEqual([429, undefined, 'Rate limit exceeded']);
  });

  it("keeps the bracket that closes the message's own, and drops the one of the sentence around it", () => {
    const error = onlyError('- API attempt: not created: HTTP 403 (Missing required scopes: [rules:write])');
    expect([error.status, error.message]).toEqual([403, 'Missing required scopes: [rules:write]']);
  });

  it('does not take a number in parentheses further along the line for the status', () => {
    expect(parsed('Rate limit exceeded on the nightly sync, see ticket (4291)').errors).toEqual([]);
  });

  it('joins the status a mocked response gives beside its body', () => {
    const paste = [
      'return HttpResponse.json(',
      '  { _error: { message: "Invalid token" } },',
      '  { status: 401 },',
      ');',
    ];
    expect([onlyError(paste.join('\n')).status, onlyError(paste.join('\n')).message]).toEqual([401, 'Invalid token']);
  });

  it('reads the members after an ellipsis in an elided envelope', () => {
    const error = onlyError('`{"_error":{…,"message":"JSON Web Token error"}}`');
    expect([error.status, error.message]).toEqual([undefined, 'JSON Web Token error']);
  });

  it("reads an integration's wrapper wording that names Front, with the status it implies", () => {
    const error = onlyError('Invalid Front API token. Please reconnect with a valid token.');
    expect([error.status, error.statusInferred]).toEqual([401, true]);
  });

  it('reads the older error shape printed as a Python dict by its Front wording', () => {
    const paste =
      "ERROR_JSON = {'errors': [{'title': 'Bad request',\n  'detail': 'Body did not satisfy requirements',\n  'status': '400'}]}";
    expect([onlyError(paste).status, onlyError(paste).message]).toEqual([400, 'Body did not satisfy requirements']);
  });

  it('does not read a generic wording without a status beside it', () => {
    expect(parsed('Rate limit exceeded, try again later').errors).toEqual([]);
  });

  it('reads a response as an API description states it, once', () => {
    const paste = '"403": {\n  "description": "Token lacks the required `conversations:delete` scope"\n}';
    const error = onlyError(paste);
    expect([error.status, error.message]).toEqual([403, 'Token lacks the required `conversations:delete` scope']);
  });

  it('reads no success described that way', () => {
    expect(parsed('"200": {\n  "description": "A conversation"\n}').errors).toEqual([]);
  });

  it('reads no request path from a Front URL cut short, and the whole path from one that is not', () => {
    const cut = onlyError(
      '[Sentry] FrontError: This teammate is not allowed to act on the specified conversation. at https://api2.frontapp.com/c...',
    );
    expect(cut.request?.path).toBeUndefined();
    const whole = onlyError(
      'FrontError: This teammate is not allowed to act on the specified conversation. at https://api2.frontapp.com/conversations/cnv_yo1kg5q.',
    );
    expect(whole.request?.path).toBe('/conversations/cnv_yo1kg5q');
  });

  it("reads the 301 Front's spec describes for a merged conversation, and no other API's redirect", () => {
    const merged =
      '"301": {\n  "description": "If the conversation has been merged, the response redirects you to the merged conversation."\n}';
    expect(onlyError(merged).status).toBe(301);
    expect(parsed('"301": {\n  "description": "Moved Permanently"\n}').errors).toEqual([]);
  });
});
