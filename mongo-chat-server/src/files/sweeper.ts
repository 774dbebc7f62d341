/**
 * The file service of one data service process, and its sweeper: uploads left
 * pending by a process that stopped midway are removed at start and then
 * every half of the pending bound (docs/attachments.md, Uploads cut off).
 */
import type { Connection } from 'mongoose';
import type winston from 'winston';
import type { GroupService } from '../groups/group-service';
import { createFileClaimModel, fileClaims } from './claims';
import { createFileService } from './file-service';
import type { FileService } from './file-service';
import { createFileModel } from './model';
import { gridFsStore } from './store';

export const DEFAULT_PENDING_MAX_AGE_MS = 10 * 60 * 1000;

export interface FileSweeper {
  files: FileService;
  /** Builds the indexes, sweeps once, then keeps sweeping. */
  start: () => Promise<void>;
  stop: () => void;
}

export function startFileSweeper(
  db: Connection,
  groups: GroupService,
  pendingMaxAgeMs: number | undefined,
  logger: winston.Logger,
): FileSweeper {
  const maxAgeMs = pendingMaxAgeMs ?? DEFAULT_PENDING_MAX_AGE_MS;
  const File = createFileModel(db);
  const claims = fileClaims(createFileClaimModel(db));
  const files = createFileService(File, claims, gridFsStore(db), groups, {
    pendingMaxAgeMs: maxAgeMs,
  });
  let timer: NodeJS.Timeout | undefined;
  const sweep = async () => {
    try {
      const removed = await files.sweep();
      if (removed > 0) logger.info('removed uploads that were cut off', { removed });
    } catch (err) {
      logger.warn('could not sweep pending uploads; retrying', { error: (err as Error).message });
    }
  };
  return {
    files,
    async start() {
      await Promise.all([File.createIndexes(), claims.createIndexes()]);
      await sweep();
      timer = setInterval(() => { void sweep(); }, Math.max(1000, maxAgeMs / 2));
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
