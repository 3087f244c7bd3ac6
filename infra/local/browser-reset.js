// Drives Debian's Chromium through the reset journey a person takes, for the
// end-to-end test (lambda/dev/e2e): opens the email as delivered, follows its
// button, submits the form once wrongly and once rightly, and photographs
// each state. Input: one JSON argument; output: one JSON line.
const { run } = require('./chromium');

// Every wait is bounded by the job's timeout (see chromium.js); each waits
// for what the page shows next, never for a fixed time.
async function steps({ newPage, job, result }) {
  const shot = async (page, name) => page.screenshot({ path: `${job.out}/${name}.png`, fullPage: true });
  const page = await newPage({ viewport: { width: job.width || 600, height: 800 } });

  await page.goto(job.emailFile);
  await shot(page, 'email');
  const href = await page.getAttribute('a[href]', 'href'); // the button comes first
  result.href = href;

  await page.goto(href);
  result.states.form = { lang: await page.getAttribute('html', 'lang'), dir: await page.getAttribute('html', 'dir') };
  await shot(page, 'form');

  // The form posts, and the answer is a new page: wait for its load event,
  // listened for before the click.
  const submit = async () => {
    await Promise.all([page.waitForEvent('load'), page.click('button[type=submit]')]);
    result.last = { status: await page.evaluate(() => document.title), text: (await page.innerText('body')).slice(0, 500) };
  };
  await page.fill('#password', job.password);
  await page.fill('#repeat', job.password + 'x');
  await submit();
  result.states.mismatch = { alert: (await page.textContent('[aria-live]')).trim() };
  await shot(page, 'mismatch');

  await page.fill('#password', job.password);
  await page.fill('#repeat', job.password);
  await submit();
  await page.waitForSelector('[role=status]');
  result.states.success = { status: (await page.textContent('[role=status]')).trim() };
  await shot(page, 'success');

  // From a blank page, so that a fragment-mode link is a real navigation
  // (from /reset to /reset#… the browser would only scroll).
  await page.goto('about:blank');
  await page.goto(href.replace(/sig=[^&]*/, 'sig=tampered'));
  // A fragment link passes through the opener page first: wait past it.
  await page.waitForFunction(() => !document.getElementById('open') && document.querySelector('h1'));
  result.states.invalid = { heading: (await page.textContent('h1')).trim() };
  await shot(page, 'invalid');
}

run({ states: {} }, steps);
