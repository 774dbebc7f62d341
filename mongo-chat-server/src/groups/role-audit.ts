/**
 * Who changed whose role, who removed whom, who deleted a group: one audit
 * line each (the kit's `audit`, docs/design.md, Audit), written through this
 * one function so the group code does not know the audit line's shape.
 */
import type winston from 'winston';
import { audit } from '@chat/shared';

export interface RoleAuditEntry {
  action: 'role' | 'owner' | 'removed' | 'deleted';
  group: string;
  /** The member who asked; null for an operator's call or a change the system made (succession). */
  by: string | null;
  [detail: string]: string | null;
}

export type RoleAudit = (entry: RoleAuditEntry) => void;

const EVENTS: Record<RoleAuditEntry['action'], string> = {
  role: 'group.role',
  owner: 'group.owner',
  removed: 'group.member-removed',
  deleted: 'group.deleted',
};

export const logRoleAudit = (logger: winston.Logger): RoleAudit => ({
  action, group, by, ...detail
}) => {
  audit(logger, {
    event: EVENTS[action], actor: by, target: group, outcome: 'success', detail,
  });
};
