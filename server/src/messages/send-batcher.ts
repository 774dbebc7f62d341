/**
 * The send hot path, batching that adapts to load: a send that finds a slot
 * free goes to the data service at once (`POST /message/batch` with one
 * message), so an idle system pays one round trip and no waiting window. Sends
 * that arrive while their group is in flight are gathered and go together (up
 * to `maxBatch` per call) as soon as it returns: the busier the system, the
 * bigger the batches. Up to `maxInFlight` batches are in flight at once, but a
 * group is in one of them at most, so a server's results for a group come back
 * — and are delivered — in seq order, and its sends are stored in the order
 * they came. An optional `intervalMs` window (off by default) delays an idle
 * send to gather more.
 *
 * A retry of a send that is still queued or in flight (same group, sender and
 * clientId: the client gave up waiting and sent again) joins the first one
 * instead of queueing a copy, so while the data service is slow, retries
 * cannot pile up a backlog of copies that keeps it slow after it recovers.
 */
import { AppError } from '@chat/shared';
import type { ErrorDetail, StoredMessage } from '@chat/shared';
import type { NewMessage } from '../data/client';

export interface StoreOutcome {
  message: StoredMessage;
  /** False when the data service returned an earlier store of the same clientId (a retry). */
  created: boolean;
}

/** Runs after a batch is stored and before any of its senders hear back. */
export type AfterStore = (outcomes: StoreOutcome[]) => Promise<void>;

interface Waiter {
  resolve: (outcome: StoreOutcome) => void;
  reject: (err: AppError) => void;
}

interface Pending {
  item: NewMessage;
  key: string;
  waiters: Waiter[];
  resolve: (outcome: StoreOutcome) => void;
  reject: (err: AppError) => void;
}

const keyOf = (item: NewMessage) => JSON.stringify([item.group, item.from, item.clientId]);

export interface SendBatcherOptions {
  store: (messages: NewMessage[]) => Promise<
  ({ ok: true; status: number; message: StoredMessage } | { ok: false; error: { code: string; message: string } })[]
  >;
  /** Extra wait before an idle send goes out, to gather more; 0 (no window) sends at once. */
  intervalMs: number;
  maxBatch: number;
  /** Batches at the data service at once (default 1), each group in one of them at most. */
  maxInFlight?: number;
  afterStore: AfterStore;
}

const toAppError = (error: { code: string; message: string }): AppError => {
  const known: ErrorDetail['code'][] = ['VALIDATION_FAILED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'];
  const code = known.find((c) => c === error.code) ?? 'UNAVAILABLE';
  return new AppError(code, error.message);
};

export function createSendBatcher(options: SendBatcherOptions) {
  const maxInFlight = options.maxInFlight ?? 1;
  let queue: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();
  /** Groups with a batch in flight: their next sends wait for it. */
  const busy = new Set<string>();
  /** Queued or in flight, by key: where a retry joins. */
  const open = new Map<string, Pending>();

  const pendingFor = (item: NewMessage): Pending => {
    const key = keyOf(item);
    const pending: Pending = {
      item,
      key,
      waiters: [],
      resolve: (outcome) => {
        open.delete(key);
        pending.waiters.forEach((w) => w.resolve(outcome));
      },
      reject: (err) => {
        open.delete(key);
        pending.waiters.forEach((w) => w.reject(err));
      },
    };
    open.set(key, pending);
    return pending;
  };

  const settle = async (batch: Pending[]) => {
    let results: Awaited<ReturnType<SendBatcherOptions['store']>>;
    try {
      results = await options.store(batch.map((p) => p.item));
    } catch (err) {
      const error = err instanceof AppError ? err : new AppError('UNAVAILABLE', 'the message could not be stored');
      batch.forEach((p) => p.reject(error.code === 'INTERNAL' ? new AppError('UNAVAILABLE', error.message) : error));
      return;
    }
    const outcomes: { pending: Pending; outcome: StoreOutcome }[] = [];
    batch.forEach((pending, i) => {
      const result = results[i];
      if (!result) {
        pending.reject(new AppError('UNAVAILABLE', 'the data service did not answer for this message'));
      } else if (result.ok) {
        outcomes.push({ pending, outcome: { message: result.message, created: result.status === 201 } });
      } else {
        pending.reject(toAppError(result.error));
      }
    });
    // Delivery order within a batch is seq order, whatever order the senders came in.
    outcomes.sort((a, b) => a.outcome.message.seq - b.outcome.message.seq);
    // The messages are stored whatever happens after; a failed follow-up never un-acknowledges them.
    await options.afterStore(outcomes.map((o) => o.outcome)).catch(() => undefined);
    outcomes.forEach((o) => o.pending.resolve(o.outcome));
  };

  /** The next batch: the oldest sends of groups not in flight, within maxBatch; the rest keep their places. */
  const nextBatch = (): Pending[] => {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    queue.forEach((p) => {
      if (batch.length < options.maxBatch && !busy.has(p.item.group)) batch.push(p); else rest.push(p);
    });
    queue = rest;
    return batch;
  };

  const hasQueued = () => queue.length > 0;

  const flush = () => {
    if (timer) { clearTimeout(timer); timer = undefined; }
    while (inFlight.size < maxInFlight && queue.length > 0) {
      const batch = nextBatch();
      if (batch.length === 0) return;
      const groups = new Set(batch.map((p) => p.item.group));
      groups.forEach((g) => busy.add(g));
      const flight: Promise<void> = settle(batch).finally(() => {
        inFlight.delete(flight);
        groups.forEach((g) => busy.delete(g));
        // What arrived meanwhile has waited at least one round trip already.
        if (hasQueued()) flush();
      });
      inFlight.add(flight);
    }
  };

  const schedule = () => {
    if (inFlight.size > 0 || timer) {
      // Whatever arrives meanwhile goes with the next batch; a full batch need not wait for the window.
      if (inFlight.size < maxInFlight && (inFlight.size > 0 || queue.length >= options.maxBatch)) flush();
      return;
    }
    if (options.intervalMs > 0) timer = setTimeout(flush, options.intervalMs);
    else flush();
  };

  return {
    /** Resolves once stored; rejects with the data service's refusal or UNAVAILABLE. */
    send: (item: NewMessage): Promise<StoreOutcome> => new Promise<StoreOutcome>((resolve, reject) => {
      const joined = open.get(keyOf(item));
      if (joined) {
        joined.waiters.push({ resolve, reject });
        return;
      }
      const pending = pendingFor(item);
      pending.waiters.push({ resolve, reject });
      queue.push(pending);
      schedule();
    }),
    /** Stores everything queued and waits for it (shutdown). */
    drain: async () => {
      while (inFlight.size > 0 || queue.length > 0) {
        flush();
        if (inFlight.size > 0) await Promise.race(inFlight);
      }
    },
    pending: () => queue.length + inFlight.size,
  };
}

export type SendBatcher = ReturnType<typeof createSendBatcher>;
