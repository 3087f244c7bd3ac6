// Looks at the preview gallery's emails as a person would, for the gallery
// test (lambda/e2e/gallery_test.go): each cell is one email file opened in
// Debian's Chromium at one width and one colour scheme. For each it takes a
// screenshot and reports whether the page overflows sideways and whether the
// button is visible, on screen and clickable. Input: one JSON argument;
// output: one JSON line.
const { run } = require('./chromium');

// measure runs in the email. The main card is the element with .cm-card, or
// else the nearest box around the heading that paints a background (the
// white card of the layout); the button is the card's first link.
function measure() {
  const doc = document.documentElement;
  const heading = document.querySelector('h1');
  let card = document.querySelector('.cm-card');
  for (let el = heading; !card && el && el !== document.body; el = el.parentElement) {
    const bg = getComputedStyle(el).backgroundColor;
    if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') card = el;
  }
  card = card || document.body;
  const colors = {
    body: getComputedStyle(document.body).backgroundColor,
    card: getComputedStyle(card).backgroundColor,
    heading: heading ? getComputedStyle(heading).color : '',
  };
  const result = { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, colors, button: { found: false } };
  const a = card.querySelector('a[href]');
  if (!a) return result;
  a.scrollIntoView({ block: 'center', inline: 'nearest' });
  const r = a.getBoundingClientRect();
  const style = getComputedStyle(a);
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const hit = document.elementFromPoint(x, y);
  result.button = {
    found: true,
    href: a.getAttribute('href'),
    text: a.textContent.trim(),
    rect: { left: r.left, right: r.right, top: r.top, bottom: r.bottom },
    visible: r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none' && Number(style.opacity) > 0,
    inViewport: r.left >= 0 && r.right <= doc.clientWidth,
    clickable: !!hit && (hit === a || a.contains(hit)),
  };
  window.scrollTo(0, 0);
  return result;
}

async function steps(browser, job, result) {
  // One context per width and scheme: a context's viewport and scheme are
  // what a phone or a desktop client in dark mode would give the email.
  const pages = new Map();
  const pageFor = async (width, scheme) => {
    const key = `${width}/${scheme}`;
    if (!pages.has(key)) {
      const context = await browser.newContext({ viewport: { width, height: 800 }, colorScheme: scheme });
      pages.set(key, await context.newPage());
    }
    return pages.get(key);
  };
  for (const cell of job.cells) {
    const page = await pageFor(cell.width, cell.scheme);
    await page.goto(cell.file);
    const got = await page.evaluate(measure);
    got.name = cell.name;
    got.shot = `${job.out}/${cell.name}.png`;
    await page.screenshot({ path: got.shot, fullPage: true });
    if (cell.twin) {
      // The gallery's dark twin, seen by a viewer in light mode, should
      // paint what the email paints for a reader in dark mode.
      const light = await pageFor(cell.width, 'light');
      await light.goto(cell.twin);
      got.twinColors = (await light.evaluate(measure)).colors;
    }
    result.cells.push(got);
  }

  const index = await (await browser.newContext({ viewport: { width: 1360, height: 1000 } })).newPage();
  const settle = async () => {
    await Promise.all(index.frames().map((f) => f.waitForLoadState('load')));
    await index.waitForTimeout(300); // lazy iframes that came into view
  };
  await index.goto(job.index);
  await settle();
  result.index = { shot: `${job.out}/gallery-index.png` };
  await index.screenshot({ path: result.index.shot });
  // A link to one language shows that language's emails and no others.
  await index.goto(`${job.index}#${job.filter}`);
  await settle();
  result.filtered = await index.evaluate(() => [...document.querySelectorAll('article.mail')]
    .filter((el) => el.getClientRects().length > 0).map((el) => el.id));
  result.filteredShot = `${job.out}/gallery-filtered.png`;
  await index.screenshot({ path: result.filteredShot });
}

run({ cells: [] }, steps);
