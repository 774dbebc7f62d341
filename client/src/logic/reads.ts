/** Read positions: the person's own (for unread counts) and the other members' (for "seen by"). */
import type { Up } from '@chat/contract';

export const unreadCount = (lastSeq: number, lastReadSeq: number): number => Math.max(0, lastSeq - lastReadSeq);

export class ReadReceipts {
  private readonly byRoom = new Map<string, Map<Up, number>>();

  /** Positions only move forward, whatever order the events arrive in. */
  record(room: string, up: Up, seq: number): boolean {
    const positions = this.byRoom.get(room) ?? new Map<Up, number>();
    this.byRoom.set(room, positions);
    if ((positions.get(up) ?? 0) >= seq) return false;
    positions.set(up, seq);
    return true;
  }

  /** The members other than `except` who have read up to `seq` or beyond. */
  readersOf(room: string, seq: number, except: Up): Up[] {
    const positions = this.byRoom.get(room);
    if (!positions) return [];
    return [...positions.entries()].filter(([up, read]) => up !== except && read >= seq).map(([up]) => up);
  }

  forget(room: string): void { this.byRoom.delete(room); }
}
