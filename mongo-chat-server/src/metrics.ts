/** The data service's own metrics, next to the shared HTTP ones. */
import client from 'prom-client';
import type { ServiceMetrics } from '@chat/shared';

export interface WriterMetrics {
  batchStored: (messages: number) => void;
  seqConflict: () => void;
}

export function createWriterMetrics(metrics: ServiceMetrics): WriterMetrics {
  const stored = new client.Counter({
    name: 'messages_stored_total', help: 'Messages stored', registers: [metrics.registry],
  });
  const batches = new client.Histogram({
    name: 'seq_writer_batch_size',
    help: 'Messages per insertMany of the seq writer',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
    registers: [metrics.registry],
  });
  const conflicts = new client.Counter({
    name: 'seq_conflicts_total', help: 'Seqs another writer took first (duplicate key on (group, seq))', registers: [metrics.registry],
  });
  return {
    batchStored: (messages) => { stored.inc(messages); batches.observe(messages); },
    seqConflict: () => conflicts.inc(),
  };
}
