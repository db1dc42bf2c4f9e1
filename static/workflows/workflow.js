// Show the chosen section of a workflow and follow generation progress; the
// process map is drawn by js/map.js.
(() => {
  // Show one section at a time. The tabs are plain anchors, so without
  // scripts every section stays on the page and the anchors scroll to it;
  // a link to an anchor inside a section (#step-4) opens that section.
  const tabs = document.querySelectorAll('.tabs a[href^="#"]');
  // Steps were once edited in a tab of their own: a link to it (#edit) or
  // to a step in it (#edit-4) opens the SOP, or that step in the SOP, where
  // they are edited now.
  const followMovedLink = () => {
    const moved = /^#edit(?:-(\d+))?$/.exec(window.location.hash);
    if (!moved) return;
    // Replaced as a navigation, not a history entry, so :target follows.
    window.location.replace(moved[1] ? `#step-${moved[1]}` : '#sop');
  };
  const panels = [...document.querySelectorAll('.tab-panel')];
  // A hand-typed or cut link may hold a broken escape such as "#%E0%A4":
  // read it as no fragment rather than stop the rest of this script.
  const fragment = () => {
    try {
      return decodeURIComponent(window.location.hash.slice(1));
    } catch {
      return '';
    }
  };
  const showPanel = () => {
    const id = fragment();
    const target = id ? document.getElementById(id) : null;
    const wanted =
      panels.find((panel) => panel === target || panel.contains(target)) ??
      panels[0];
    panels.forEach((panel) => {
      panel.hidden = panel !== wanted;
    });
    tabs.forEach((tab) => {
      if (tab.getAttribute('href') === `#${wanted.id}`) {
        tab.setAttribute('aria-current', 'page');
      } else {
        tab.removeAttribute('aria-current');
      }
    });
    if (target && target !== wanted) target.scrollIntoView();
    return target ?? wanted;
  };
  // Choosing a tab, or following a link to a step, moves focus there, so a
  // keyboard or screen reader user goes on from what opened rather than from
  // the link they chose. Panels carry tabindex="-1" in the page; a step
  // gets it here, and a field, focusable already, keeps its place in the
  // tab order.
  const focusOn = (element) => {
    if (element.tabIndex < 0 && !element.hasAttribute('tabindex')) {
      element.setAttribute('tabindex', '-1');
    }
    element.focus();
  };
  if (panels.length) {
    window.addEventListener('hashchange', () => {
      followMovedLink();
      focusOn(showPanel());
    });
    // Choosing the tab already open changes no hash, so no hashchange comes.
    tabs.forEach((tab) => {
      tab.addEventListener('click', () => {
        if (tab.hash === window.location.hash) focusOn(showPanel());
      });
    });
    followMovedLink();
    // A page opened at a step (back from editing it, or from a search
    // result) starts with focus on the step; one opened at a tab, at the
    // top as usual.
    const opened = showPanel();
    if (!panels.includes(opened)) focusOn(opened);
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
    if (label) label.textContent = state.state_label;
    if (busy.includes(state.state)) {
      window.setTimeout(poll, 1500);
    } else {
      window.location.reload();
    }
  };
  window.setTimeout(poll, 1500);
})();
