/**
 * Does a chat server answer at all? Asked before sending a client there with
 * WRONG_SERVER: the dispatcher notices a crash only after the heartbeat
 * timeout, and a refusal must never name a server that is gone.
 *
 * The probe asks the server's Socket.IO path for a transport that does not
 * exist: a live server answers 400 at once without opening a session, and the
 * path is the one the proxy routes to each server (`/s/<id>/socket.io`). Any
 * answer below 500 is a live server; a refused connection, a timeout or a
 * proxy's 502/503/504 is not.
 */
import { createFreshCall } from './fresh-call';

export interface PeerProbeOptions {
  timeoutMs: number;
  /** Probes of one server start at least this far apart (callers in between share the next one). */
  minGapMs: number;
}

const probeUrl = (url: string): string => {
  const target = new URL(url);
  return `${target.origin}${target.pathname.replace(/\/+$/, '')}/socket.io/?EIO=4&transport=probe`;
};

type Probe = () => Promise<boolean>;

/** Few servers ever exist; past this many distinct URLs the probes start over. */
const MAX_TRACKED = 256;

export function createPeerProbe(options: PeerProbeOptions): (url: string) => Promise<boolean> {
  const probes = new Map<string, Probe>();
  const answers = async (url: string): Promise<boolean> => {
    try {
      const res = await fetch(probeUrl(url), { signal: AbortSignal.timeout(options.timeoutMs) });
      await res.body?.cancel();
      return res.status < 500;
    } catch {
      return false;
    }
  };
  return (url) => {
    let probe = probes.get(url);
    if (!probe) {
      if (probes.size >= MAX_TRACKED) probes.clear();
      probe = createFreshCall(() => answers(url), options.minGapMs);
      probes.set(url, probe);
    }
    return probe();
  };
}
