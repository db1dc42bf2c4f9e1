// Keep the dashboard current while workflows generate, without reloading.
//
// The server renders the whole page; this script only asks the small status
// endpoint for fresh states and patches the marked elements. It stops once
// nothing is busy, and slows down when the tab is hidden.
const POLL_MS = 2500;
const HIDDEN_POLL_MS = 15000;

const root = document.querySelector('[data-dashboard]');

function patchUsage(usage) {
  const meter = root.querySelector('[data-usage-meter]');
  if (meter && usage.limit !== null) {
    meter.setAttribute('aria-valuenow', String(usage.used));
    meter.firstElementChild.style.width = `${usage.percent}%`;
    meter.classList.toggle('full', usage.left === 0);
  }
}

function patchItem(item) {
  const row = root.querySelector(`[data-item="${CSS.escape(item.key)}"]`);
  if (!row) return false;
  const state = row.querySelector('[data-state]');
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
  const link = row.querySelector('a[data-item-link]');
  if (link && item.url) link.href = item.url;
  return true;
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
    patchUsage(body.usage);
    const items = body.items || [];
    // A new item the page does not show yet means a reload shows it best.
    if (items.some((item) => !patchItem(item))) {
      location.reload();
      return;
    }
    busy = body.busy;
  } catch (error) {
    busy = true; // A blip in the network: try again later.
  }
  if (busy) setTimeout(poll, document.hidden ? HIDDEN_POLL_MS : POLL_MS);
}

if (root && root.querySelector('[data-state][data-busy="true"]')) {
  setTimeout(poll, POLL_MS);
}
