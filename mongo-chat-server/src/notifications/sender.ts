/**
 * How a digest leaves the chat backend (docs/notifications.md, Senders). The
 * digest worker knows only NotificationSender: `send` resolves once the
 * receiver has taken the digest and rejects otherwise (the worker retries).
 * The webhook is the one sender here; a Web Push sender (the `web-push`
 * package, with the user's subscriptions) would implement the same interface.
 */
import crypto from 'node:crypto';
import { DIGEST_HEADERS } from '@chat/shared';
import type { NotificationDigest } from '@chat/shared';

export interface NotificationSender {
  /** For logs: `webhook`, `web-push`, … */
  readonly kind: string;
  /** Resolves when the digest was accepted; rejects (with why) when it must be tried again. */
  send: (digest: NotificationDigest) => Promise<void>;
}

/** `sha256=<hex>`: HMAC-SHA256 of the raw body with the shared secret. */
export function signature(body: string, secret: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** True when `header` is the signature of `body` (constant-time comparison). */
export function verifySignature(body: string, secret: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signature(body, secret));
  const given = Buffer.from(header);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

export interface WebhookOptions {
  url: string;
  secret: string;
  /** A receiver that does not answer within this has failed this attempt. */
  timeoutMs?: number;
}

export function createWebhookSender(options: WebhookOptions): NotificationSender {
  const timeoutMs = options.timeoutMs ?? 10000;
  return {
    kind: 'webhook',
    async send(digest) {
      const body = JSON.stringify(digest);
      let res: Response;
      try {
        res = await fetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [DIGEST_HEADERS.signature]: signature(body, options.secret),
            [DIGEST_HEADERS.delivery]: digest.id,
            [DIGEST_HEADERS.timestamp]: String(Math.floor(Date.now() / 1000)),
          },
          body,
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'manual',
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        throw new Error(`receiver unreachable: ${cause ?? (err as Error).message}`);
      }
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status > 299) throw new Error(`receiver answered ${res.status}`);
    },
  };
}
