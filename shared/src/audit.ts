/**
 * Audit lines (docs/design.md, Audit): one structured info line per security
 * event (a failed sign-in, a sign-out, a password change, a role change, a
 * removal, a deletion) through a child logger marked `channel: 'audit'`, so
 * they can be picked out of combined.log. Only who, what, on whom and how it
 * ended: never a password or a token (the logger masks such fields anyway).
 */
import type winston from 'winston';

export type AuditOutcome = 'success' | 'failure' | 'refused';

export interface AuditEntry {
  /** What happened, dotted: `auth.login`, `auth.logout-all`, `group.role`, `group.member-removed`, `group.deleted`. */
  event: string;
  /** Who did it: a user number, or null when unknown (a failed sign-in names the account tried as `target`). */
  actor: string | null;
  /** Whom or what it was done to: a user number, a group id, an account name. */
  target?: string;
  outcome: AuditOutcome;
  /** The client's address, when known. */
  ip?: string;
  /** A few plain facts more (a role, a reason); never a secret. */
  detail?: Record<string, string | number | boolean | null>;
}

const children = new WeakMap<winston.Logger, winston.Logger>();

/** Writes one audit line through `logger`'s `audit` child. */
export function audit(logger: winston.Logger, entry: AuditEntry): void {
  let child = children.get(logger);
  if (!child) {
    child = logger.child({ channel: 'audit' });
    children.set(logger, child);
  }
  child.info(`audit ${entry.event} ${entry.outcome}`, {
    event: entry.event,
    actor: entry.actor,
    target: entry.target ?? null,
    outcome: entry.outcome,
    ...(entry.ip === undefined ? {} : { ip: entry.ip }),
    ...(entry.detail === undefined ? {} : { detail: entry.detail }),
  });
}
