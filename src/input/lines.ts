/** Line arithmetic on the normalised paste (its line breaks are all `\n`). */

export function lineStartAt(text: string, pos: number): number {
  if (pos <= 0) return 0;
  return text.lastIndexOf('\n', pos - 1) + 1;
}

export function lineEndAt(text: string, pos: number): number {
  const end = text.indexOf('\n', pos);
  return end < 0 ? text.length : end;
}

export function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

export function skipSpace(text: string, pos: number): number {
  let i = pos;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

/** curl -v chatter and code-fence language tags: lines that sit between headers and a body without being either. */
const TRANSPORT_NOISE = /^(?:<$|[<>*] |\{ \[|\} \[|(?:json|http|https|bash|sh|shell|console|text|txt|log|html|xml|js|javascript|python|py|ruby|rb|plaintext)$)/i;

export function isTransportNoiseLine(trimmedLine: string): boolean {
  return TRANSPORT_NOISE.test(trimmedLine);
}

/** True when every line in [from, to) is blank or transport noise. */
export function onlyTransportNoise(text: string, from: number, to: number): boolean {
  let i = from;
  while (i < to) {
    const end = Math.min(lineEndAt(text, i), to);
    const line = text.slice(i, end).trim();
    if (line !== '' && !isTransportNoiseLine(line)) return false;
    i = end + 1;
  }
  return true;
}
