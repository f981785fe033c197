/**
 * What a benchmark scenario is: a module exporting `name` and `run`, listed in
 * bench/run.ts. It prints its own tables (bench/lib.ts printTable) and asserts nothing.
 */
import type { BenchServer } from './lib.js';

export interface BenchOptions {
  /** --quick: one run per figure instead of three. */
  quick: boolean;
  /** Runs per figure; report medians of them. */
  runs: number;
  /** False with --no-peers: measure rota alone (no install, no peer processes). */
  peers: boolean;
}

export interface Scenario {
  /** Selected with --only NAME[,NAME]. */
  name: string;
  run(server: BenchServer, opts: BenchOptions): Promise<void>;
}
