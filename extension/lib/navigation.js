// Notice route changes of single-page apps. A content script lives in its
// own world and cannot wrap the page's history.pushState, but the Navigation
// API's `navigate` event reaches it; popstate and hashchange cover browsers
// without that API.
(() => {
  const ns = (globalThis.ledgerium ??= {});

  const NAVIGATION_TYPES = {
    push: 'push',
    replace: 'replace',
    traverse: 'pop'
  };
  // Single-page apps usually set the new title just after changing the URL.
  const TITLE_SETTLE_MS = 250;

  // Return whether a route change deserves a step, given the last one kept.
  function isNewPage(last, next) {
    if (!last) return true;
    if (last.origin !== next.origin || last.path !== next.path) return true;
    if (next.nav === 'push') return true;
    if (next.nav === 'replace') return false;
    return last.title !== next.title;
  }

  // Call report({href, nav, ts}) for every same-document navigation in win.
  // Return {stop, flush}: flush() reports waiting navigations at once, so
  // that a click right after a route change still comes after it.
  function watchNavigation(win, report, { settleMs = TITLE_SETTLE_MS } = {}) {
    const waiting = [];
    const flush = () => {
      while (waiting.length) {
        const { timer, entry } = waiting.shift();
        win.clearTimeout(timer);
        report(entry);
      }
    };
    const deliver = (href, nav) => {
      const entry = { href, nav, ts: Date.now() };
      const timer = win.setTimeout(() => {
        const at = waiting.findIndex((item) => item.entry === entry);
        if (at >= 0) waiting.splice(at, 1);
        report(entry);
      }, settleMs);
      waiting.push({ timer, entry });
    };
    const listeners = [];
    const listen = (target, name, handler) => {
      target.addEventListener(name, handler);
      listeners.push(() => target.removeEventListener(name, handler));
    };

    if (win.navigation?.addEventListener) {
      listen(win.navigation, 'navigate', (event) => {
        if (!event.destination?.sameDocument && !event.hashChange) return;
        const nav = event.hashChange
          ? 'hash'
          : (NAVIGATION_TYPES[event.navigationType] ?? 'replace');
        deliver(event.destination.url, nav);
      });
    } else {
      // A fragment change fires popstate before hashchange: leave it to the
      // hashchange handler.
      let last = win.location.href;
      const withoutHash = (href) => href.split('#')[0];
      listen(win, 'popstate', () => {
        const href = win.location.href;
        const onlyHash =
          withoutHash(href) === withoutHash(last) && href !== last;
        last = href;
        if (!onlyHash) deliver(href, 'pop');
      });
      listen(win, 'hashchange', () => {
        last = win.location.href;
        deliver(last, 'hash');
      });
    }
    const stop = () => {
      listeners.forEach((remove) => remove());
      waiting.splice(0).forEach(({ timer }) => win.clearTimeout(timer));
    };
    return { stop, flush };
  }

  function pageOf(href, title, nav) {
    return { ...ns.events.splitUrl(href), title, nav };
  }

  ns.navigation = { isNewPage, pageOf, watchNavigation, TITLE_SETTLE_MS };
})();
