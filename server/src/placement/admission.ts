/**
 * Whether a handshake is let in here or sent to another chat server, so that
 * a placement the dispatcher hands out is accepted at once by the server it
 * names, and a refusal never names a server that is gone:
 *
 * 1. the map held here places the user here (or did within the grace period): in;
 * 2. else the map is fetched from the dispatcher afresh (it may have moved the
 *    user here since the last heartbeat) and asked again;
 * 3. a client placed by a newer map than the dispatcher gave us is believed: in;
 * 4. the owner is probed; one that does not answer has crashed before the
 *    dispatcher noticed: in (the next map change moves the user if need be);
 * 5. otherwise WRONG_SERVER with the owner's URL.
 */
import type { Up } from '@chat/shared';
import type { Ownership } from './ownership';

export type Admission = { admit: true } | { admit: false; url: string };

export interface AdmissionOptions {
  ownership: Ownership;
  /** Takes a map fetched from the dispatcher after the call; absent without a dispatcher. Never rejects. */
  refreshMap?: () => Promise<void>;
  /** True when the chat server at `url` answers. */
  answers: (url: string) => Promise<boolean>;
}

const ADMIT: Admission = { admit: true };

export function createAdmission(options: AdmissionOptions) {
  const { ownership } = options;
  return {
    /** `clientMapVersion`: the `mapVersion` of the placement the client holds, when it sent one. */
    decide: async (up: Up, clientMapVersion?: number): Promise<Admission> => {
      if (ownership.accepts(up)) return ADMIT;
      await options.refreshMap?.();
      if (ownership.accepts(up)) return ADMIT;
      const held = ownership.map()?.version ?? 0;
      if (clientMapVersion !== undefined && clientMapVersion > held) return ADMIT;
      const owner = ownership.placement(up);
      if (!owner || !(await options.answers(owner.url))) return ADMIT;
      return { admit: false, url: owner.url };
    },
  };
}

export type AdmissionCheck = ReturnType<typeof createAdmission>;
