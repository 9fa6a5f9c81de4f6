import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCli } from '../src/args.js';
import { UsageError } from '../src/errors.js';

const usage = (argv: string[], pattern: RegExp) =>
  assert.throws(() => parseCli(argv), (err: unknown) => err instanceof UsageError && pattern.test(err.message));

describe('parseCli', () => {
  it('parses the one-shot mode with every option', () => {
    const cli = parseCli([
      '--orders', '20', '--scenario', 'lost-orders', '--concurrency', '3', '--time-scale', '3600',
      '--deadline-s', '45.5', '--b2b-share', '0.25', '--seed', '7', '--quiet',
    ]);
    assert.deepEqual(cli, {
      command: 'oneshot',
      quiet: true,
      options: { orders: 20, scenario: 'lost-orders', concurrency: 3, timeScale: 3600, deadlineS: 45.5, b2bShare: 0.25, seed: 7 },
    });
  });

  it('leaves out what is not given (the environment and defaults fill it in)', () => {
    assert.deepEqual(parseCli(['--orders', '6']), { command: 'oneshot', quiet: false, options: { orders: 6 } });
  });

  it('parses a one-shot run at a steady arrival rate (open loop)', () => {
    assert.deepEqual(parseCli(['--orders', '30', '--rate', '5']), { command: 'oneshot', quiet: false, options: { orders: 30, rate: 5 } });
    usage(['--orders', '3', '--rate', '0'], /--rate must be a number > 0/);
  });

  it('parses the continuous mode', () => {
    assert.deepEqual(parseCli(['run', '--rate', '0.5', '--scenario', 'crm-outage']), {
      command: 'run',
      options: { rate: 0.5, scenario: 'crm-outage' },
    });
    assert.deepEqual(parseCli(['run']), { command: 'run', options: {} });
  });

  it('answers --help and -h', () => {
    assert.deepEqual(parseCli(['--help']), { command: 'help' });
    assert.deepEqual(parseCli(['run', '-h']), { command: 'help' });
  });

  it('requires --orders in the one-shot mode', () => usage([], /missing --orders/));

  it('refuses numbers that are not numbers, or out of bounds', () => {
    usage(['--orders', 'abc'], /--orders must be an integer ≥ 1 .* got "abc"/);
    usage(['--orders', '0'], /--orders must be an integer/);
    usage(['--orders', '2.5'], /--orders must be an integer/);
    usage(['--orders', ''], /--orders/);
    usage(['--orders', '3', '--time-scale', '0'], /--time-scale must be a number > 0/);
    usage(['--orders', '3', '--time-scale', '-5'], /--time-scale/);
    usage(['--orders', '3', '--b2b-share', '1.5'], /--b2b-share must be a number ≥ 0 and ≤ 1/);
    usage(['--orders', '3', '--deadline-s', 'soon'], /--deadline-s/);
    usage(['--orders', '3', '--concurrency', '0'], /--concurrency/);
    usage(['run', '--rate', '0'], /--rate must be a number > 0/);
  });

  it('refuses unknown scenarios, naming the known ones', () =>
    usage(['--orders', '3', '--scenario', 'meteor'], /unknown scenario "meteor"; known: healthy, flaky-pricing, slow-mes, crm-outage, lost-orders/));

  it('refuses unknown options, commands and options of the other mode', () => {
    usage(['--orders', '3', '--bogus'], /Unknown option '--bogus'/);
    usage(['walk'], /unexpected argument "walk"/);
    usage(['run', 'now'], /unexpected argument/);
    usage(['run', '--orders', '3'], /--orders belongs to the one-shot mode/);
    usage(['--orders', '3', '--rate', '1', '--concurrency', '2'], /--concurrency and --rate exclude each other/);
    usage(['--orders'], /argument missing|--orders/);
  });
});
