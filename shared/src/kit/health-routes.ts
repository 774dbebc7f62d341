/**
 * `/health` (the process answers: liveness, what container healthchecks
 * probe) and `/ready` (its dependencies answer too: ready for traffic), the
 * same shape on every service: `{status, checks: {<dependency>: ok|down|disabled}}`.
 */
import { Router } from 'express';

export type Check = 'ok' | 'down' | 'disabled';

export interface HealthOptions {
  service: string;
  /** One probe per dependency; a probe that throws counts as down. */
  checks: Record<string, () => Promise<Check> | Check>;
  /** True while the service is closing: not ready for new traffic. */
  isClosing?: () => boolean;
}

/** A probe from a call that succeeds when the dependency answers. */
export const probe = (call: () => Promise<unknown>) => (): Promise<Check> => call()
  .then(() => 'ok' as const, () => 'down' as const);

export function healthRoutes(options: HealthOptions): Router {
  const router = Router();
  router.get('/health', (_req, res) => { res.json({ status: 'ok', service: options.service }); });
  router.get('/ready', async (_req, res) => {
    const names = Object.keys(options.checks);
    const results = await Promise.all(names.map(async (name) => {
      const check = options.checks[name];
      return check ? Promise.resolve(check()).catch(() => 'down' as const) : 'disabled' as const;
    }));
    const checks = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    const ready = !results.includes('down') && !(options.isClosing?.() ?? false);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });
  return router;
}
