// Keep the dashboard current while workflows generate, without reloading.
//
// The server renders the whole page; this script only asks the small status
// endpoint for fresh states and patches the marked elements. It stops once
// nothing is busy, and slows down when the tab is hidden. A page marked
// data-watch-new (the dashboard) still looks now and then while idle, and
// again whenever the tab is shown, so that a workflow started elsewhere (the
// extension, an upload in another tab) appears without a reload by hand.
const POLL_MS = 2500;
const HIDDEN_POLL_MS = 15000;
const IDLE_POLL_MS = 20000;

const root = document.querySelector('[data-dashboard]');

function patchUsage(html) {
  // The server renders the quota block; the same markup as on page load.
  const usage = root.querySelector('[data-usage]');
  if (usage && typeof html === 'string') usage.outerHTML = html;
}

// Return 'missing' when the page does not show the item, 'done' when it has
// just stopped generating, and 'patched' otherwise.
function patchItem(item) {
  const row = root.querySelector(`[data-item="${CSS.escape(item.key)}"]`);
  if (!row) return 'missing';
  const state = row.querySelector('[data-state]');
  const wasBusy = state && state.dataset.busy === 'true';
  if (state && state.dataset.state !== item.state) {
    state.dataset.state = item.state;
    state.dataset.busy = String(item.busy);
    state.className = `state state-${item.state}`;
    state.textContent = item.state_label;
  }
  const progress = row.querySelector('progress');
  if (progress) {
    progress.hidden = !item.busy;
    if (typeof item.progress === 'number') {
      progress.value = item.progress;
      progress.textContent = `${item.progress}%`;
    }
  }
  return wasBusy && !item.busy ? 'done' : 'patched';
}

async function poll() {
  let busy = false;
  try {
    const response = await fetch(root.dataset.statusUrl, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    });
    if (!response.ok) return;
    const body = await response.json();
    patchUsage(body.usage_html);
    const items = body.items || [];
    // A new item, or one that just became ready and now offers its links,
    // is best shown by the page itself.
    const results = items.map(patchItem);
    if (results.includes('missing') || results.includes('done')) {
      setTimeout(() => location.reload(), 800);
      return;
    }
    busy = body.busy;
  } catch (error) {
    busy = true; // A blip in the network: try again later.
  }
  schedule(busy);
}

function schedule(busy) {
  if (busy) {
    setTimeout(poll, document.hidden ? HIDDEN_POLL_MS : POLL_MS);
  } else if (!('watchNew' in root.dataset)) {
    // Nothing is busy and nothing new is looked for: done.
  } else if (document.hidden) {
    document.addEventListener('visibilitychange', poll, { once: true });
  } else {
    setTimeout(poll, IDLE_POLL_MS);
  }
}

if (root) schedule(Boolean(root.querySelector('[data-state][data-busy="true"]')));
