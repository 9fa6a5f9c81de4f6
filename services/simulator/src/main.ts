/**
 * The simulator: a CLI when run (`node services/simulator/dist/src/main.js --help`), and the
 * package's API when imported (`runOneShot` for in-process end-to-end tests).
 */
import { assertNodeVersion, ConfigError, isEntryPoint } from '@orderscope/platform';
import { parseCli, USAGE } from './args.js';
import { runContinuous } from './continuous.js';
import { SetupError, UsageError } from './errors.js';
import { runOneShot } from './oneshot.js';

export { parseCli, USAGE, type Cli } from './args.js';
export { runContinuous, type ContinuousOptions, type ContinuousTotals } from './continuous.js';
export { SetupError, UsageError } from './errors.js';
export { runOneShot, type OneShotOptions, type SimulationReport } from './oneshot.js';
export { getScenario, NO_FAULTS, SCENARIO_NAMES, SCENARIOS, type Scenario, type ScenarioName } from './scenarios.js';
export { loadSimulatorConfig, type SimulatorConfig } from './config.js';
export { percentile, summarize, assignChannels, type OrderReport, type Summary } from './summary.js';
export type { FaultEvent } from './faults.js';

/** Exit codes: 0 the run completed (stuck orders included), 1 setup failed, 2 bad arguments or environment. */
export async function main(argv: readonly string[]): Promise<number> {
  let cli;
  try {
    cli = parseCli(argv);
  } catch (err) {
    process.stderr.write(`simulator: ${(err as Error).message}\n(see --help)\n`);
    return 2;
  }
  if (cli.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  // First signal: stop gracefully (one-shot still reports); second: leave at once.
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write(`simulator: ${signal}, stopping\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stderr = (line: string) => process.stderr.write(`${line}\n`);

  try {
    if (cli.command === 'run') {
      await runContinuous({ ...cli.options, signal: stop.signal });
      return 0;
    }
    const report = await runOneShot({
      ...cli.options,
      signal: stop.signal,
      log: stderr,
      ...(cli.quiet ? {} : { progress: stderr }),
    });
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return report.interrupted ? 130 : 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`simulator: ${err.message}\n`);
      return 2;
    }
    if (err instanceof SetupError) {
      process.stderr.write(`simulator: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`simulator: failed: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

if (isEntryPoint(import.meta.url)) {
  assertNodeVersion('orderscope simulator');
  const code = await main(process.argv.slice(2));
  // Calls still in flight (a customer's, an operator's) must not hold the process: the report is out.
  process.stdout.write('', () => process.exit(code));
}
