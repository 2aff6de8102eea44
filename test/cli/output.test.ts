import { PassThrough } from 'node:stream';
import { guardOutput, stripControls } from '../../src/commands/output';

describe('the CLI output guard', () => {
  test('keeps tabs and newlines, a leading progress \\r, and strips every other control character', () => {
    expect(stripControls('a\tb\nc\r\nd')).toBe('a\tb\nc\nd');
    expect(stripControls('\rchecking teammates: 3/9')).toBe('\rchecking teammates: 3/9');
    expect(stripControls('safe\rspoofed')).toBe('safespoofed');
    expect(stripControls('\u001b]0;title\u0007\u001b[2J\u009b31m\u007f\u202eevil\u2066x\u2069')).toBe(
      ']0;title[2J31mevilx',
    );
    // A line or paragraph separator in a teammate's name breaks the line where no newline shows: it becomes one.
    expect(stripControls('Bruno\u2028Keller\u2029 is off')).toBe('Bruno\nKeller\n is off');
  });

  test('redacts what a command registers, and what env FRONT_API_TOKEN holds, on both streams', () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = guardOutput(
      {
        stdout: { write: (t: string) => out.push(t) },
        stderr: { write: (t: string) => err.push(t) },
        stdin: new PassThrough(),
        env: {},
      },
      { known: ['env-token-0123456789-abcdefghij'], redact: true },
    );
    io.secrets?.add('stored-token-0123456789-abcdefghij');
    io.stdout.write('a env-token-0123456789-abcdefghi b');
    io.stderr.write('c stored-token-0123456789-abcdef d');
    expect(out).toEqual(['a [redacted token] b']);
    expect(err).toEqual(['c [redacted token] d']);
  });
});
