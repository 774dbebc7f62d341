/** What the runner hands every scenario, and what a scenario hands back. */
import type { TestSystem } from '../../test/support/system';
import type { RunInfo } from '../lib/environment';
import type { ScenarioResult } from '../lib/report';

/** Which Redis a system runs on: one instance, or a local Redis Cluster (3 primaries + 3 replicas). */
export type RedisKind = 'single' | 'cluster';

export interface ScenarioContext {
  quick: boolean;
  /**
   * The Redis setups a scenario that compares them runs on, in order (`--redis`;
   * fan-out only). Default: both in a full run, one Redis in quick mode.
   */
  redis: RedisKind[];
  run: RunInfo;
  log: (line: string) => void;
  /** Where results go (a scenario may write a file of its own there, e.g. a chart). */
  outDir: string;
  /**
   * Data service, one dispatcher and two chat servers on Redis. A fresh one per
   * scenario; in quick mode one shared by the scenarios that use it (to stay
   * within two minutes), each scenario closing its sockets before the next.
   * With `{ redis: 'cluster' }`, always a fresh one on a Redis Cluster of its
   * own, stopped with it after the scenario (or when the run is killed).
   */
  cluster: (options?: { redis?: RedisKind }) => Promise<TestSystem>;
  /** Runs after the scenario, whatever happens (children, sockets, servers). */
  defer: (cleanup: () => Promise<unknown>) => void;
}

/** A scenario's findings; the runner adds the name, title, run description and duration. */
export type ScenarioOutcome = Omit<ScenarioResult, 'scenario' | 'title' | 'run' | 'durationSeconds'>;

export interface Scenario {
  name: string;
  title: string;
  /** Upper bound on the scenario's wall time; past it the runner kills its processes. */
  budgetMs: (quick: boolean) => number;
  run: (ctx: ScenarioContext) => Promise<ScenarioOutcome>;
}
