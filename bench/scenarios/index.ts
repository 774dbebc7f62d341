/** Every scenario, in the order the runner runs them. */
import { capacity } from './capacity';
import type { Scenario } from './context';

export const SCENARIOS: Scenario[] = [capacity];
