/**
 * Every scenario, in the order the runner runs them: in quick mode they share
 * one cluster, so the one that crashes a chat server (reconnect) and the one
 * that fills the database (history) come late, placement (fake servers) last.
 */
import { capacity } from './capacity';
import type { Scenario } from './context';
import { fanout } from './fanout';
import { history } from './history';
import { latency } from './latency';
import { placement } from './placement';
import { reconnect } from './reconnect';

export const SCENARIOS: Scenario[] = [capacity, fanout, latency, reconnect, history, placement];
