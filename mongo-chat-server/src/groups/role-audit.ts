/**
 * Who changed whose role, who removed whom, who deleted a group: one line each
 * in the data service's log, written through this one function so the record
 * can move to a dedicated audit trail without touching the group code.
 */
import type winston from 'winston';

export interface RoleAuditEntry {
  action: 'role' | 'owner' | 'removed' | 'deleted';
  group: string;
  /** The member who asked; null for an operator's call or a change the system made (succession). */
  by: string | null;
  [detail: string]: string | null;
}

export type RoleAudit = (entry: RoleAuditEntry) => void;

export const logRoleAudit = (logger: winston.Logger): RoleAudit => (entry) => {
  logger.info('group audit', entry);
};
