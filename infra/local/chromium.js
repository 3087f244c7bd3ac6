// The frame both browser scripts share: read the JSON job from the first
// argument, launch Debian's Chromium through playwright-core, run the
// script's steps, and print one JSON line with the result, ok or not.
//
// Every wait (the launch, each navigation, each action) is bounded by
// job.timeout, in milliseconds, which the Go test computes on the tests' one
// scale (lambda/dev/patience): Playwright's own 30 s assumes an idle
// machine. Steps open pages through newPage, which sets it.
const { chromium } = require('playwright-core');

exports.run = async function run(result, steps) {
  const job = JSON.parse(process.argv[2]);
  if (!(job.timeout > 0)) {
    process.stdout.write(JSON.stringify({ ok: false, error: 'the job has no timeout (milliseconds)' }) + '\n');
    process.exitCode = 2;
    return;
  }
  const browser = await chromium.launch({
    executablePath: job.chromium,
    timeout: job.timeout,
    // As root, without a GPU, and off the network: this machine has none.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // newPage opens a page in a context of its own (viewport, colour scheme).
  const newPage = async (options) => {
    const context = await browser.newContext(options);
    context.setDefaultTimeout(job.timeout);
    return context.newPage();
  };
  try {
    await steps({ newPage, job, result });
    result.ok = true;
  } catch (err) {
    result.ok = false;
    result.error = String(err && err.stack || err);
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(result) + '\n');
};
