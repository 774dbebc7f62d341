/** Every scenario, in the order the runner runs them. */
import { capacity } from './capacity';
import type { Scenario } from './context';
import { fanout } from './fanout';
import { history } from './history';
import { latency } from './latency';
import { placement } from './placement';
import { reconnect } from './reconnect';

export const SCENARIOS: Scenario[] = [capacity, fanout, latency, reconnect, history, placement];
