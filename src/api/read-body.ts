import type { IncomingMessage } from 'node:http';

/** The body, unless it runs over `limit` (reading stops there) or the client goes away first. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too large' | 'gone'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (outcome: 'too large' | 'gone') => {
      req.off('data', onData);
      req.pause();
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return stop('too large');
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', () => stop('gone'));
    req.once('close', () => {
      if (!req.complete) stop('gone');
    });
  });
}
