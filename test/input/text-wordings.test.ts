import * as P from './pastes';
import { fields, onlyError, parsed } from './helpers';

describe('Front wordings without an envelope', () => {
  it('reads a log line with a status and Front’s rate-limit wording', () => {
    expect(fields(onlyError(P.frontApiErrorLine))).toEqual({
      format: 'text',
      status: 429,
      message: 'Rate limit exceeded for tier-2 route. Please retry in 341 milliseconds.',
      ids: [],
    });
  });

  it('reads `403 Forbidden: <wording>`', () => {
    expect(fields(onlyError(P.forbiddenTeammateLine))).toEqual({
      format: 'text',
      status: 403,
      title: 'Forbidden',
      message: 'You do not have access to the resources of this teammate',
      ids: [],
    });
  });

  it('takes the status from the line before (axios’ `Request failed with status code 403`)', () => {
    expect(fields(onlyError(P.axiosMessageThenWording))).toEqual({
      format: 'text',
      status: 403,
      message: 'You do not have access to the resources of this teammate',
      ids: [],
    });
  });

  it('joins a status line and a wording on consecutive lines into one error', () => {
    expect(
      fields(onlyError('got 403 Forbidden\nThis agent is not allowed to read the "inbox" with ID: "inb_1ix6"')),
    ).toEqual({
      format: 'text',
      status: 403,
      title: 'Forbidden',
      message: 'This agent is not allowed to read the "inbox" with ID: "inb_1ix6"',
      resource: { verb: 'read', kind: 'inbox', id: 'inb_1ix6' },
      ids: ['inb_1ix6'],
    });
  });

  it('infers 403 from an unmistakable Front sentence with no status, and says so', () => {
    expect(fields(onlyError(P.bareNotAllowedSentence))).toEqual({
      format: 'text',
      status: 403,
      statusInferred: true,
      message: 'This agent is not allowed to read the "conversation" with ID: "cnv_q9a0"',
      resource: { verb: 'read', kind: 'conversation', id: 'cnv_q9a0' },
      ids: ['cnv_q9a0'],
    });
  });

  it('reads the OAuth admin wording, which carries no status', () => {
    expect(
      fields(
        onlyError('Install failed: You need to be an administrator of your Front instance to authorize this request.'),
      ),
    ).toEqual({
      format: 'text',
      message: 'You need to be an administrator of your Front instance to authorize this request.',
      ids: [],
    });
  });

  it('reads the wording from a structured log field and stops at its closing quote', () => {
    const line =
      'level=error status=403 msg="You do not have access to the resources of this teammate" teammate=tea_6r55a';
    expect(fields(onlyError(line))).toEqual({
      format: 'text',
      status: 403,
      message: 'You do not have access to the resources of this teammate',
      ids: ['tea_6r55a'],
    });
  });

  it('reads the message after a reason phrase', () => {
    expect(
      onlyError('Front returned 404 Not Found: Ticketing is not enabled, therefore, there are no ticket statuses.'),
    ).toMatchObject({
      status: 404,
      title: 'Not Found',
      message: 'Ticketing is not enabled, therefore, there are no ticket statuses.',
    });
  });

  it('reads a Python HTTPError line alone: status, reason, request path, no message', () => {
    expect(
      fields(
        onlyError(
          'requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: https://api2.frontapp.com/me',
        ),
      ),
    ).toEqual({
      format: 'text',
      status: 401,
      title: 'Unauthorized',
      request: { path: '/me' },
      ids: [],
    });
  });

  it('reads `<status> <reason>` in an agent’s sentence', () => {
    expect(onlyError('Acme gets 404 Not Found when opening their shared inbox through Zapier')).toMatchObject({
      format: 'text',
      status: 404,
      title: 'Not Found',
    });
  });

  it('needs more than a bare status or a generic wording', () => {
    for (const paste of [
      'customer said error 404 again',
      'HTTP 403 when calling the API',
      'Rate limit exceeded',
      'Unknown conversation ID cnv_1',
      '10:42:03.403 Rate limit exceeded',
      'see https://api2.frontapp.com/403/Forbidden',
      'cnv_403 Forbidden',
    ]) {
      expect(parsed(paste).errors).toEqual([]);
    }
  });

  it('reads a 5xx with its reason phrase', () => {
    expect(onlyError('upstream: 503 Service Unavailable')).toMatchObject({
      format: 'text',
      status: 503,
      title: 'Service Unavailable',
    });
  });
});
