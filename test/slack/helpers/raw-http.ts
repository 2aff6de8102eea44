import { connect, type Socket } from 'node:net';

export interface RawExchange {
  /** The status of the answer, if one came. */
  status: number | undefined;
  /** Everything the server sent. */
  text: string;
  /** Whether the server closed the connection before `waitMs` ran out. */
  closed: boolean;
}

/**
 * An HTTP/1.1 request written by hand on a new connection: `head` (request line and headers), then `body` if
 * given, and nothing more. Resolves once the server closes the connection, or after `waitMs` with what came by then,
 * so a server that waits for the rest of a body shows as `closed: false` with no status.
 */
export function rawExchange(url: string, head: string[], body?: Buffer | string, waitMs = 8_000): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(port), hostname);
    let text = '';
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : undefined, text, closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.once('close', () => finish(true));
    // A reset after the answer is still an answer; the close that follows settles it.
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
      if (body !== undefined) socket.write(body);
    });
  });
}

/** Resolves true once the server closes a connection that never sent a byte, false if it is still open after `waitMs`. */
export function closedWhileSilent(url: string, waitMs = 8_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, waitMs);
    socket.resume();
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
