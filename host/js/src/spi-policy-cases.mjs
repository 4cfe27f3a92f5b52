// Runs SPI `configure` requests through hal.js's copy of the policy rule, for the test that
// keeps it equal to the Rust policy crate (tests/tests/node.rs,
// `the_javascript_spi_policy_is_the_policy_crates`).
//
//   node src/spi-policy-cases.mjs cases.json
//
// `cases.json` is a list of `{policy, current, requested}` (policy keys as `createBoard`'s SPI
// devices take them, configs as `{frequencyHz, mode, bitOrder}`). Prints a JSON list with, for
// each case, `{ok: config}` or `{err: "error-code"}`.

import { readFileSync } from 'node:fs';
import { WitError, effectiveConfig, spiPolicy } from './hal.js';

const [path] = process.argv.slice(2);
if (!path) {
  console.error('usage: node spi-policy-cases.mjs cases.json');
  process.exit(2);
}
const cases = JSON.parse(readFileSync(path, 'utf8'));
const results = cases.map(({ policy, current, requested }, i) => {
  try {
    return { ok: effectiveConfig(spiPolicy(policy), current, requested) };
  } catch (e) {
    if (e instanceof WitError) return { err: e.payload };
    throw new Error(`case ${i}: ${e.message}`);
  }
});
process.stdout.write(JSON.stringify(results));
