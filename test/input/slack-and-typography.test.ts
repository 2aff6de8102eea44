import * as P from './pastes';
import { fields, onlyError, parsed } from './helpers';
import { normalisePaste } from '../../src/input';

describe('what Slack and editors do to a paste', () => {
  it('decodes &lt; &gt; &amp; so curl -v prefixes and request lines read as usual', () => {
    expect(fields(onlyError(P.slackEscapedCurl))).toEqual({
      format: 'http',
      status: 403,
      title: 'Forbidden',
      message: 'You do not have access to the resources of this teammate',
      request: { method: 'GET', path: '/conversations/cnv_5tq2' },
      rateLimit: { remaining: 88 },
      ids: ['cnv_5tq2'],
    });
  });

  it('unwraps Slack link markup and code fences; the linked conversation counts as from a link', () => {
    const { errors, ids } = parsed(P.slackLinksAndFence);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      format: 'json',
      status: 403,
      resource: { verb: 'read', kind: 'conversation', id: 'cnv_7ke1x' },
    });
    expect(ids).toEqual([{ id: 'cnv_7ke1x', prefix: 'cnv', kind: 'conversation', fromLink: true }]);
  });

  it('reads JSON whose quotes became smart quotes', () => {
    expect(fields(onlyError(P.smartQuoted))).toEqual({
      format: 'json',
      status: 403,
      title: 'Forbidden',
      message: "You don't have permission",
      ids: [],
    });
  });

  it('reads a smart-quoted Front sentence', () => {
    const error = onlyError('Customer sees: “This agent is not allowed to read the “conversation” with ID: “cnv_sq1””');
    expect(error.resource).toEqual({ verb: 'read', kind: 'conversation', id: 'cnv_sq1' });
  });

  it('reads a paste quoted with Slack’s > on every line', () => {
    expect(onlyError(P.slackQuoted)).toMatchObject({
      format: 'json',
      status: 404,
      title: 'Not found',
      message: 'Unknown conversation ID cnv_2q',
    });
  });

  it('reads an envelope on the same line as its fences', () => {
    expect(
      onlyError('```{"_error":{"status":401,"title":"Unauthenticated","message":"JSON Web Token error"}}```'),
    ).toMatchObject({
      status: 401,
      title: 'Unauthenticated',
    });
  });

  it('normalises line endings, non-breaking spaces and zero-width characters', () => {
    expect(normalisePaste('HTTP/2\u00a0403\r\nx-ratelimit-limit:\u200b 50\r\n')).toBe(
      'HTTP/2 403\nx-ratelimit-limit: 50\n',
    );
  });

  it('decodes an entity Slack escaped twice in one step', () => {
    expect(normalisePaste('&amp;lt;html&amp;gt; &amp;amp; &lt;')).toBe('<html> & <');
  });

  it('keeps mailto labels and drops other link labels', () => {
    expect(
      normalisePaste('<mailto:dana@acme.test|dana@acme.test> <https://api2.frontapp.com/me|api2.frontapp.com/me>'),
    ).toBe('dana@acme.test https://api2.frontapp.com/me');
  });

  it('leaves Slack mentions alone (they are not links)', () => {
    expect(normalisePaste('<@U024BE7LH> <!here>')).toBe('<@U024BE7LH> <!here>');
  });
});

describe('JSON mangled by a web forum', () => {
  it('reads the envelope whose colons were lost', () => {
    expect(fields(onlyError(P.forumMangled))).toEqual({
      format: 'json',
      status: 403,
      title: 'Forbidden',
      message: 'This agent is not allowed to read the "conversation" with ID: "cnv_X"',
      resource: { verb: 'read', kind: 'conversation', id: 'cnv_X' },
      ids: [],
    });
  });

  it('also copes when the backslashes before the inner quotes were lost', () => {
    expect(fields(onlyError(P.forumMangledNoBackslashes))).toEqual({
      format: 'json',
      status: 403,
      title: 'Forbidden',
      message: 'This agent is not allowed to read the "conversation" with ID: "cnv_8x1"',
      resource: { verb: 'read', kind: 'conversation', id: 'cnv_8x1' },
      ids: ['cnv_8x1'],
    });
  });

  it('reads a forum post where both the colons and the commas went', () => {
    expect(onlyError('{"_error"{"status"404 "title""Not found"}}')).toMatchObject({ status: 404, title: 'Not found' });
  });
});
