/**
 * A real HTTP server standing in for the notifications component: it checks
 * each digest's signature, records every request, and answers as the test
 * says (accept, 503, hold the request without answering, or stop listening
 * so that connections are refused). Port 0, closed by the test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DIGEST_HEADERS, notificationDigestSchema } from '@chat/shared';
import type { NotificationDigest } from '@chat/shared';
import { verifySignature } from '../src/notifications/sender';

export interface Delivery {
  raw: string;
  digest: NotificationDigest;
  delivery: string | undefined;
  timestamp: string | undefined;
  signed: boolean;
  status: number | 'held';
  at: number;
}

export type Answer = 'accept' | 503 | 'hold';

export class Receiver {
  readonly requests: Delivery[] = [];

  answer: (request: Delivery) => Answer = () => 'accept';

  private server: http.Server;

  private readonly held = new Set<http.ServerResponse>();

  port = 0;

  constructor(private readonly secret: string) {
    this.server = this.create();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/chat`;
  }

  /** Digests answered 2xx, in order. */
  get accepted(): NotificationDigest[] {
    return this.requests.filter((r) => r.status === 200).map((r) => r.digest);
  }

  async start(port = 0): Promise<this> {
    this.server = this.create();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening (connections are refused) and drops held requests. */
  async stop(): Promise<void> {
    this.held.forEach((res) => res.destroy());
    this.held.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => { this.server.close(() => resolve()); });
  }

  private create(): http.Server {
    return http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const header = (name: string) => {
          const v = req.headers[name];
          return Array.isArray(v) ? v[0] : v;
        };
        const entry: Delivery = {
          raw,
          digest: notificationDigestSchema.parse(JSON.parse(raw)),
          delivery: header(DIGEST_HEADERS.delivery),
          timestamp: header(DIGEST_HEADERS.timestamp),
          signed: verifySignature(raw, this.secret, header(DIGEST_HEADERS.signature)),
          status: 200,
          at: Date.now(),
        };
        const answer = this.answer(entry);
        if (answer === 'hold') {
          entry.status = 'held';
          this.held.add(res);
        } else {
          entry.status = answer === 'accept' ? 200 : answer;
          res.writeHead(entry.status).end();
        }
        this.requests.push(entry);
      });
    });
  }
}
