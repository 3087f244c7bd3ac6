// Drives Debian's Chromium through "This wasn't me", for the end-to-end test
// (lambda/dev/e2e, TestE2ENotifyReport): opens the notice as delivered,
// follows its report button, reads the page's button, clicks it and reads
// the answer, photographing each state. Input: one JSON argument; output:
// one JSON line.
const { run } = require('./chromium');

// Every wait is bounded by the job's timeout (see chromium.js); each waits
// for what the page shows next, never for a fixed time.
async function steps({ newPage, job, result }) {
  const shot = async (page, name) => page.screenshot({ path: `${job.out}/${name}.png`, fullPage: true });
  const page = await newPage({ viewport: { width: job.width || 600, height: 800 } });

  await page.goto(job.emailFile);
  await shot(page, 'notice');
  // The notice's report button: the link to the page's /report.
  const href = await page.getAttribute(`a[href^="${job.reportUrl}"]`, 'href');
  result.href = href;

  await page.goto(href);
  await page.waitForSelector('button[type=submit]');
  result.states.report = {
    lang: await page.getAttribute('html', 'lang'),
    heading: (await page.textContent('h1')).trim(),
    button: (await page.textContent('button[type=submit]')).trim(),
  };
  await shot(page, 'report');

  // The form posts, and the answer is a new page: wait for its load event,
  // listened for before the click.
  await Promise.all([page.waitForEvent('load'), page.click('button[type=submit]')]);
  await page.waitForSelector('[role=status]');
  result.states.done = {
    heading: (await page.textContent('h1')).trim(),
    status: (await page.textContent('[role=status]')).trim(),
  };
  await shot(page, 'done');
}

run({ states: {} }, steps);
