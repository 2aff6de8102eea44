import * as P from './pastes';
import { fields, onlyError, parsed } from './helpers';

describe('plain _error envelopes', () => {
  it('reads a pretty-printed 403 with the refused resource', () => {
    expect(fields(onlyError(P.plainEnvelope))).toEqual({
      format: 'json',
      status: 403,
      title: 'Forbidden',
      message: P.NOT_ALLOWED_MESSAGE,
      resource: { verb: 'read', kind: 'conversation', id: 'cnv_yo1kg5q' },
      ids: ['cnv_yo1kg5q'],
    });
  });

  it('accepts an envelope with only status and title', () => {
    expect(fields(onlyError(P.statusAndTitleOnly))).toEqual({
      format: 'json',
      status: 404,
      title: 'Not found',
      ids: [],
    });
  });

  it('accepts an envelope with only a message, and reads the unknown ID it names (a wrong prefix is kept as written)', () => {
    expect(fields(onlyError(P.messageOnly))).toEqual({
      format: 'json',
      message: 'Unknown conversation ID cn_123',
      resource: { kind: 'conversation', id: 'cn_123' },
      ids: [],
    });
  });

  it('keeps details as a list of strings', () => {
    const error = onlyError(P.validationError);
    expect(error.status).toBe(400);
    expect(error.message).toBe('Body did not satisfy requirements');
    expect(error.details).toEqual(['body.to must be an array', 'body.sender_name is not allowed']);
  });

  it('reads a single detail string, and non-string details compactly', () => {
    expect(onlyError('{"_error":{"status":400,"details":"body.to is required"}}').details).toEqual([
      'body.to is required',
    ]);
    expect(onlyError('{"_error":{"status":400,"details":[{"field":"to","reason":"missing"},42]}}').details).toEqual([
      'field: to, reason: missing',
      '42',
    ]);
  });

  it('reads the missing-scope wording with its backticks intact', () => {
    const error = onlyError(P.missingScope);
    expect(error.message).toBe('Token lacks the required `inboxes:read` scope');
    expect(error.resource).toBeUndefined();
  });

  it('counts an empty envelope as an error with nothing known about it', () => {
    expect(fields(onlyError('{"_error":{}}'))).toEqual({ format: 'json', ids: [] });
  });

  it('accepts a status written as a string, and ignores one that is not a status', () => {
    expect(onlyError('{"_error":{"status":"429","title":"Too many requests"}}').status).toBe(429);
    expect(onlyError('{"_error":{"status":"nope","title":"Forbidden"}}').status).toBeUndefined();
  });

  it('finds the envelope inside other JSON', () => {
    const error = onlyError(
      '{"request_id":"r-81","response":{"code":403,"body":{"_error":{"status":403,"message":"You do not have access to the resources of this teammate"}}}}',
    );
    expect(error).toMatchObject({
      format: 'json',
      status: 403,
      message: 'You do not have access to the resources of this teammate',
    });
  });

  it('reads what it can of an envelope cut short', () => {
    expect(fields(onlyError('{"_error":{"status":403,"title":"Forbidden","mess'))).toEqual({
      format: 'json',
      status: 403,
      title: 'Forbidden',
      ids: [],
    });
  });

  it('ignores keys that merely contain _error', () => {
    expect(parsed('{"last_error":{"status":500},"_errors":[{"status":403}],"has_error":true}').errors).toEqual([]);
  });
});

describe('envelopes in logs, dumps and stack traces', () => {
  it('unescapes an envelope stored as a string in a JSON log line, and takes the request from the log', () => {
    expect(fields(onlyError(P.pinoLogLine))).toEqual({
      format: 'json',
      status: 403,
      title: 'Forbidden',
      message: 'You do not have access to the resources of this teammate',
      request: { method: 'GET', path: '/conversations/cnv_8f3k2' },
      ids: ['cnv_8f3k2'],
    });
  });

  it('reads an envelope escaped two layers deep', () => {
    const twice = String.raw`{"log":"{\"msg\":\"failed\",\"body\":\"{\\\"_error\\\":{\\\"status\\\":404,\\\"message\\\":\\\"Unknown conversation ID cnv_x1\\\"}}\"}"}`;
    expect(onlyError(twice)).toMatchObject({ status: 404, message: 'Unknown conversation ID cnv_x1' });
  });

  it('joins a Python HTTPError line with the body printed as a repr string after it', () => {
    expect(fields(onlyError(P.pythonTraceback))).toEqual({
      format: 'json',
      status: 403,
      title: 'Forbidden',
      message: 'This agent is not allowed to read the "conversation" with ID: "cnv_1ix6q"',
      resource: { verb: 'read', kind: 'conversation', id: 'cnv_1ix6q' },
      request: { path: '/conversations/cnv_1ix6q' },
      ids: ['cnv_1ix6q'],
    });
  });

  it('joins a body printed before a traceback with the HTTPError line that ends it', () => {
    expect(fields(onlyError(P.pythonBodyThenTraceback))).toEqual({
      format: 'json',
      status: 404,
      title: 'Not found',
      message: 'Unknown conversation ID cnv_9zz',
      resource: { kind: 'conversation', id: 'cnv_9zz' },
      request: { path: '/conversations/cnv_9zz' },
      ids: ['cnv_9zz'],
    });
  });

  it('reads a Python dict repr', () => {
    const error = onlyError(P.pythonDictRepr);
    expect(error).toMatchObject({
      format: 'json',
      status: 404,
      title: 'Not Found',
      message: 'Unknown conversation ID cnv_4kq1',
    });
    expect(error.ids).toEqual(['cnv_4kq1']);
  });

  it('reads an axios dump: JS literal syntax, request from config, rate limits from response headers', () => {
    expect(fields(onlyError(P.axiosFullDump))).toEqual({
      format: 'json',
      status: 403,
      title: 'Forbidden',
      message: 'Token lacks the required `inboxes:read` scope',
      request: { method: 'GET', path: '/conversations/cnv_6r55a/inboxes' },
      rateLimit: { limit: 100, remaining: 97, reset: 1716220860 },
      ids: ['cnv_6r55a'],
    });
  });

  it('takes status and title from around an axios `_error: [Object]` that util.inspect did not expand', () => {
    expect(fields(onlyError(P.axiosShallowDump))).toEqual({
      format: 'json',
      status: 429,
      title: 'Too Many Requests',
      request: { method: 'POST', path: '/conversations/cnv_2b7x/messages' },
      rateLimit: { remaining: 0, retryAfter: 2, tier: 'tier-2' },
      ids: ['cnv_2b7x'],
    });
  });

  it('reads a Faraday error: a Ruby hash whose body is an escaped JSON string', () => {
    expect(fields(onlyError(P.rubyFaraday))).toEqual({
      format: 'json',
      status: 403,
      title: 'Forbidden',
      message: 'This agent is not allowed to read the "inbox" with ID: "inb_3xq9"',
      resource: { verb: 'read', kind: 'inbox', id: 'inb_3xq9' },
      request: { method: 'GET', path: '/inboxes/inb_3xq9' },
      rateLimit: { remaining: 42 },
      ids: ['inb_3xq9'],
    });
  });

  it('reads a Ruby hash-rocket hash', () => {
    expect(fields(onlyError(P.rubyHashRocket))).toEqual({
      format: 'json',
      status: 403,
      title: 'Forbidden',
      message: 'You do not have access to the resources of this teammate',
      ids: [],
    });
  });

  it('reads Ruby symbol keys and nil', () => {
    expect(onlyError('{:_error=>{:status=>404, :title=>"Not found", :message=>nil}}')).toMatchObject({
      status: 404,
      title: 'Not found',
    });
  });

  it('reads the start of a body Guzzle truncated, with the request from its message', () => {
    expect(fields(onlyError(P.guzzleTruncated))).toEqual({
      format: 'json',
      status: 403,
      title: 'Forbidden',
      message: 'This agent is not allowed to read the "conversation" wi (truncated...)',
      request: { method: 'GET', path: '/conversations/cnv_3p0d' },
      ids: ['cnv_3p0d'],
    });
  });

  it('reads a Go log line with the method and full URL before the body', () => {
    expect(onlyError(P.goLogLine)).toMatchObject({
      format: 'json',
      status: 403,
      request: { method: 'GET', path: '/teammates/tea_6r55a/private_inboxes' },
    });
  });

  it('reads an envelope after a Node stack trace header', () => {
    const paste = [
      'Error: Front API 404 {"_error":{"status":404,"title":"Not found","message":"Unknown conversation ID cnv_77"}}',
      '    at FrontClient.request (/app/src/front.js:42:11)',
      '    at processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n');
    expect(onlyError(paste)).toMatchObject({ format: 'json', status: 404, message: 'Unknown conversation ID cnv_77' });
  });

  it('reads util.inspect strings split with +', () => {
    const paste =
      'data: { _error: { status: 403, message: \'This agent is not allowed to read the "conversation" \' +\n      \'with ID: "cnv_s1"\' } }';
    expect(onlyError(paste).resource).toEqual({ verb: 'read', kind: 'conversation', id: 'cnv_s1' });
  });
});
