// The frame both browser scripts share: read the JSON job from the first
// argument, launch Debian's Chromium through playwright-core, run the
// script's steps, and print one JSON line with the result, ok or not.
const { chromium } = require('playwright-core');

exports.run = async function run(result, steps) {
  const job = JSON.parse(process.argv[2]);
  const browser = await chromium.launch({
    executablePath: job.chromium,
    // As root, without a GPU, and off the network: this machine has none.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    await steps(browser, job, result);
    result.ok = true;
  } catch (err) {
    result.ok = false;
    result.error = String(err && err.stack || err);
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(result) + '\n');
};
