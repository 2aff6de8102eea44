/**
 * Characters that change how the text around them is shown rather than adding to it: C0 and C1 controls (ESC
 * starts the sequences that retitle a terminal or rewrite what it shows; a bare CR hides what precedes it), bidi
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make a name such as a teammate's read differently
 * from what it is, and the Unicode line and paragraph separators (U+2028, U+2029), which break a line where no
 * newline shows. A teammate's name from Front or a paste may hold any of them; Slack messages and the terminal
 * drop them. Tab and newline are kept; the separators become a newline.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const SEPARATORS = /[\u2028\u2029]/g;

export function withoutControls(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(SEPARATORS, '\n').replace(CONTROLS, '');
}
