// Follow generation progress and mark the tab in view; the process map is
// drawn by js/map.js.
(() => {
  // Mark the tab of the section in view; the tabs are plain anchors.
  const tabs = document.querySelectorAll('.tabs a[href^="#"]');
  const markTab = () => {
    tabs.forEach((tab) => {
      if (tab.getAttribute('href') === window.location.hash) {
        tab.setAttribute('aria-current', 'location');
      } else {
        tab.removeAttribute('aria-current');
      }
    });
  };
  if (tabs.length) {
    window.addEventListener('hashchange', markTab);
    markTab();
  }

  const box = document.getElementById('workflow-state');
  if (!box) return;
  const busy = ['queued', 'running'];
  if (!busy.includes(box.dataset.state)) return;
  const label = box.querySelector('[data-state-label]');
  const bar = box.querySelector('[data-progress]');

  const poll = async () => {
    const response = await fetch(box.dataset.stateUrl, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    });
    if (!response.ok) return;
    const state = await response.json();
    if (bar) bar.value = state.progress;
    if (label) label.textContent = state.state;
    if (busy.includes(state.state)) {
      window.setTimeout(poll, 1500);
    } else {
      window.location.reload();
    }
  };
  window.setTimeout(poll, 1500);
})();
