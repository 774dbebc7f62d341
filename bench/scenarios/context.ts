/** What the runner hands every scenario, and what a scenario hands back. */
import type { TestSystem } from '../../test/support/system';
import type { RunInfo } from '../lib/environment';
import type { ScenarioResult } from '../lib/report';

export interface ScenarioContext {
  quick: boolean;
  run: RunInfo;
  log: (line: string) => void;
  /** Where results go (a scenario may write a file of its own there, e.g. a chart). */
  outDir: string;
  /**
   * Data service, one dispatcher and two chat servers on Redis. A fresh one per
   * scenario; in quick mode one shared by the scenarios that use it (to stay
   * within two minutes), each scenario closing its sockets before the next.
   */
  cluster: () => Promise<TestSystem>;
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
