import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What any one client may cost the process on a port front-why listens on. */
export interface HttpLimits {
  /**
   * Body bytes read from a Slack request whose signing headers look right. The largest payload front-why acts on is
   * a pasted message at Slack's 40,000-character cap: its text arrives twice (`text` and the rich_text blocks),
   * about 100 KB for a pasted error and under 500 KB even if every character came as a `\uXXXX` escape. Button
   * clicks carry front-why's own messages and Home tab, far smaller.
   */
  bodyBytes: number;
  /** From a connection's first byte (or a kept-alive request's) to the end of its headers. */
  headersTimeoutMs: number;
  /** From the same start to the last byte of the body: a stalled upload is cut off (408) after this. */
  requestTimeoutMs: number;
  /** How long an idle kept-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Open connections at once; past this a new connection is closed as soon as it is accepted. */
  maxConnections: number;
}

export const HTTP_LIMITS: HttpLimits = {
  bodyBytes: 512 * 1024,
  // Slack sends a request whole in well under a second; these only bound a client that trickles.
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  // Longer than the 60 s idle timeout of common load balancers, so the balancer closes an idle connection first
  // and never sends a request down one this side just closed.
  keepAliveTimeoutMs: 65_000,
  maxConnections: 256,
};

/** Once the server stops listening, requests still arriving on open connections get this long to finish. */
const CLOSE_GRACE_MS = 2_000;

export interface ListeningServer {
  port: number;
  close(): Promise<void>;
}

/** An HTTP server on `port` (and `host`, or every interface) with `limits`' timeouts and connection cap. */
export async function listen(
  port: number,
  host: string | undefined,
  listener: RequestListener,
  limits: HttpLimits,
): Promise<ListeningServer> {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often Node looks for requests past their timeouts (its default, 30 s, would let one run 30 s over).
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  // Left to Node, `Expect: 100-continue` is answered "send the body" before anyone looked at the headers; the
  // listener decides instead (the front door invites the body only of a request it admits).
  server.on('checkContinue', listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        const cutOff = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close((err) => {
          clearTimeout(cutOff);
          if (err) reject(err);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
