import * as P from './pastes';
import { fields, parsed } from './helpers';

describe('several errors in one paste', () => {
  it('reads a log of three failing calls in order, each with its own request', () => {
    const { errors, ids } = parsed(P.threeFailingCalls);
    expect(errors.map((e) => [e.format, e.status, e.request, e.ids])).toEqual([
      ['json', 403, { method: 'GET', path: '/conversations/cnv_a1' }, ['cnv_a1']],
      ['json', 404, { method: 'GET', path: '/conversations/cnv_b2' }, ['cnv_b2']],
      ['json', 429, { method: 'POST', path: '/conversations/cnv_c3/messages' }, ['cnv_c3']],
    ]);
    expect(errors[2]?.message).toBe('Rate limit exceeded for tier-2 route. Please retry in 341 milliseconds.');
    expect(ids.map((i) => i.id)).toEqual(['cnv_a1', 'cnv_b2', 'cnv_c3']);
  });

  it('keeps text errors on consecutive lines apart when each has its own wording', () => {
    const paste = [
      'Front API error 429: Rate limit exceeded for tier-1 route. Please retry in 120 milliseconds.',
      'Front API error 403: You do not have access to the resources of this teammate',
    ].join('\n');
    expect(parsed(paste).errors.map((e) => [e.status, e.message])).toEqual([
      [429, 'Rate limit exceeded for tier-1 route. Please retry in 120 milliseconds.'],
      [403, 'You do not have access to the resources of this teammate'],
    ]);
  });

  it('keeps a Python HTTPError line with its own body when two calls failed', () => {
    const paste = [
      'requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: https://api2.frontapp.com/conversations/cnv_p1',
      '{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_p1\\""}}',
      'requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: https://api2.frontapp.com/conversations/cnv_p2',
      '{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_p2\\""}}',
    ].join('\n');
    expect(parsed(paste).errors.map((e) => [e.format, e.request?.path, e.resource?.id])).toEqual([
      ['json', '/conversations/cnv_p1', 'cnv_p1'],
      ['json', '/conversations/cnv_p2', 'cnv_p2'],
    ]);
  });

  it('does not fold a text error about another call into the envelope before it', () => {
    const paste = [
      'GET /conversations/cnv_x1 -> 403 {"_error":{"status":403,"title":"Forbidden"}}',
      'GET /conversations/cnv_x2 -> 403 Forbidden',
    ].join('\n');
    expect(parsed(paste).errors.map((e) => [e.format, e.request?.path])).toEqual([
      ['json', '/conversations/cnv_x1'],
      ['text', '/conversations/cnv_x2'],
    ]);
  });

  it('reads an envelope, an edge page and a text error from one paste, in order', () => {
    const paste = [P.statusAndTitleOnly, 'then later:', P.nginxBadGateway, 'and finally', P.forbiddenTeammateLine].join(
      '\n',
    );
    expect(parsed(paste).errors.map((e) => [e.format, e.status])).toEqual([
      ['json', 404],
      ['html', 502],
      ['text', 403],
    ]);
  });
});

describe('errors inside a message to the support channel', () => {
  it('reads the log line out of the prose around it, and the company mentioned', () => {
    const paste = [
      'Hey team — Acme (cmp_9a1) says their sync keeps failing. From their logs:',
      '[ERROR] 2024-05-20 14:00:01 front_client: 401 Unauthenticated {"_error":{"status":401,"title":"Unauthenticated","message":"JSON Web Token error"}}',
      'Any idea? Token was rotated last week.',
    ].join('\n');
    const { errors, ids } = parsed(paste);
    expect(errors.map(fields)).toEqual([
      { format: 'json', status: 401, title: 'Unauthenticated', message: 'JSON Web Token error', ids: [] },
    ]);
    expect(ids).toEqual([{ id: 'cmp_9a1', prefix: 'cmp', kind: 'company', fromLink: false }]);
  });
});

describe('pastes that are not errors', () => {
  it('reports no error for a successful conversation body, even with error words in its subject and preview, but finds its IDs', () => {
    const { errors, ids } = parsed(P.successfulConversation);
    expect(errors).toEqual([]);
    expect(ids).toEqual([
      { id: 'cnv_yo1kg5q', prefix: 'cnv', kind: 'conversation', fromLink: false },
      { id: 'tea_6r55a', prefix: 'tea', kind: 'teammate', fromLink: false },
      { id: 'tag_2kq', prefix: 'tag', kind: 'tag', fromLink: false },
      { id: 'msg_1ab2c', prefix: 'msg', kind: 'message', fromLink: false },
    ]);
  });

  it('reports no error for a 2xx curl response', () => {
    const { errors, ids } = parsed(P.successfulCurl);
    expect(errors).toEqual([]);
    expect(ids.map((i) => i.id)).toEqual(['inb_1ix6']);
  });

  it('reports no error for a 2xx response whose body quotes an envelope', () => {
    const paste =
      'HTTP/2 200\ncontent-type: application/json\n\n{"id":"msg_9q","body":"Customer pasted {\\"_error\\":{\\"status\\":403}} in the chat"}';
    expect(parsed(paste).errors).toEqual([]);
  });

  it('reports no error for a sentence, but finds the conversation in it', () => {
    const { errors, ids } = parsed(P.randomSentence);
    expect(errors).toEqual([]);
    expect(ids).toEqual([{ id: 'cnv_yo1kg5q', prefix: 'cnv', kind: 'conversation', fromLink: false }]);
  });

  it('reports no error for another API’s error JSON', () => {
    expect(parsed(P.otherApiError).errors).toEqual([]);
  });

  it('reports no error for a bare app link, and marks its ID as from a link', () => {
    const { errors, ids } = parsed('https://app.frontapp.com/open/cnv_55hq1');
    expect(errors).toEqual([]);
    expect(ids).toEqual([{ id: 'cnv_55hq1', prefix: 'cnv', kind: 'conversation', fromLink: true }]);
  });

  it('reports no error for an email subject or a content field that names a status', () => {
    expect(parsed('Subject: Re: 403 Forbidden on API').errors).toEqual([]);
    expect(parsed('  "subject": "Re: 403 Forbidden on API",').errors).toEqual([]);
    expect(parsed("  blurb: 'Rate limit exceeded for tier-2 route, 429 they said'").errors).toEqual([]);
  });

  it('reports no error for another API’s JSON:API-style errors or curl’s own failure line', () => {
    expect(parsed('{"errors":[{"status":"403","title":"Forbidden","detail":"not allowed"}]}').errors).toEqual([]);
    expect(parsed('curl: (22) The requested URL returned error: 403').errors).toEqual([]);
  });

  it('a pasted JSON log of a success is not an error', () => {
    expect(parsed('{"level":30,"msg":"GET /conversations/cnv_ok1 200 in 183ms","status":200}').errors).toEqual([]);
  });

  it('keeps the excerpt of every error within 300 characters', () => {
    const long = `{"_error":{"status":400,"title":"Bad request","message":"${'x'.repeat(2000)}"}}`;
    const error = parsed(long).errors[0];
    expect(error?.excerpt.length).toBe(300);
    expect(fields(error!)).toMatchObject({ status: 400 });
  });
});
