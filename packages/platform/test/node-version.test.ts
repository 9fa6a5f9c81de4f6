import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

/** An entry point on another Node ends at once, loudly; on Node 24 it goes on. */
describe('the Node version guard of every entry point', () => {
  const moduleUrl = new URL('../src/node-version.js', import.meta.url).href;
  const run = (version: string) =>
    spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `import { assertNodeVersion } from '${moduleUrl}'; assertNodeVersion('orderscope thing', process.argv[1]); console.log('went on');`, version],
      { encoding: 'utf8' },
    );
  const cases: Array<[string, number, RegExp]> = [
    ['20.20.2', 1, /orderscope thing: needs Node\.js 24, this is 20\.20\.2/],
    ['22.11.0', 1, /needs Node\.js 24, this is 22\.11\.0/],
    ['25.0.0', 1, /needs Node\.js 24, this is 25\.0\.0/],
    ['24.22.3', 0, /went on/],
  ];
  for (const [version, status, output] of cases) {
    it(`on Node ${version}: exit ${status}`, () => {
      const r = run(version);
      assert.equal(r.status, status, r.stderr);
      assert.match(r.stdout + r.stderr, output);
    });
  }
});
