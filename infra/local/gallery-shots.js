// Looks at the preview gallery's emails as a person would, for the gallery
// test (lambda/dev/e2e/gallery_test.go): each cell is one email file shown in
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

async function steps({ newPage, job, result }) {
  // One page for the emails and one for their dark twins. A page loads a
  // file only when a cell names another one, and takes each cell's width and
  // colour scheme in place: the email is laid out again, as in a new window
  // of that width, in a client in that scheme, and the same file is not
  // loaded four times.
  const emails = await newPage({ viewport: { width: 600, height: 800 } });
  const twins = await newPage({ viewport: { width: 600, height: 800 }, colorScheme: 'light' });
  const loaded = new Map();
  const show = async (page, file, width, scheme) => {
    if (loaded.get(page) !== file) {
      await page.goto(file);
      loaded.set(page, file);
    }
    await page.setViewportSize({ width, height: 800 });
    await page.emulateMedia({ colorScheme: scheme });
  };
  let began = Date.now();
  for (const cell of job.cells) {
    await show(emails, cell.file, cell.width, cell.scheme);
    const got = await emails.evaluate(measure);
    got.name = cell.name;
    got.shot = `${job.out}/${cell.name}.png`;
    await emails.screenshot({ path: got.shot, fullPage: true });
    if (cell.twin) {
      // The gallery's dark twin, seen by a viewer in light mode, should
      // paint what the email paints for a reader in dark mode.
      await show(twins, cell.twin, cell.width, 'light');
      got.twinColors = (await twins.evaluate(measure)).colors;
    }
    result.cells.push(got);
  }
  result.took = { cells: Date.now() - began };
  began = Date.now();

  // The index holds hundreds of lazy iframes. It comes over http (see
  // gallery_test.go): from a file:// URL Chromium loads every one at once,
  // which on a busy machine takes minutes.
  const index = await newPage({ viewport: { width: 1360, height: 1000 } });
  await index.goto(job.index, { waitUntil: 'domcontentloaded' });
  await onScreenFramesLoaded(index);
  result.index = { shot: `${job.out}/gallery-index.png` };
  await index.screenshot({ path: result.index.shot });
  // A link to one language shows that language's emails and no others: the
  // page's CSS decides, so the document alone tells which are shown.
  await index.goto(`${job.index}#${job.filter}`, { waitUntil: 'domcontentloaded' });
  result.filtered = await index.evaluate(() => [...document.querySelectorAll('article.mail')]
    .filter((el) => el.getClientRects().length > 0).map((el) => el.id));
  await onScreenFramesLoaded(index);
  result.filteredShot = `${job.out}/gallery-filtered.png`;
  await index.screenshot({ path: result.filteredShot });
  result.took.index = Date.now() - began;
}

// onScreenFramesLoaded waits until every iframe on screen shows its email,
// loaded: lazy iframes start loading only when they come on screen, and
// the others are no business of a screenshot's.
async function onScreenFramesLoaded(page) {
  const frames = await page.$$('iframe');
  const onScreen = await page.$$eval('iframe', (els) => els.map((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < window.innerHeight;
  }));
  for (let i = 0; i < frames.length; i++) {
    if (!onScreen[i]) continue;
    const src = await frames[i].evaluate((el) => el.src);
    const frame = await frames[i].contentFrame();
    await frame.waitForURL(src, { waitUntil: 'load' });
  }
}

run({ cells: [] }, steps);
