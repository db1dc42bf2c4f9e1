// The one-step connect protocol between the Ledgerium Extension page and
// the content script. A page may connect the extension only to itself.
(() => {
  const ns = (globalThis.ledgerium ??= {});

  const TOKEN = /^ldg_[A-Za-z0-9_-]{16,200}$/;

  // Return {ok: true, server, token} for a connect request the page may
  // make, or {ok: false, reason} naming what is wrong with it.
  // The Extension page is never framed (frame-ancestors 'none'), so a
  // frame asking is another site's page inside the one the agent sees.
  function checkConnectRequest({
    data,
    origin,
    fromSameWindow,
    pageOrigin,
    topFrame
  }) {
    if (!topFrame) return refuse('not-the-top-frame');
    if (!fromSameWindow) return refuse('not-from-this-page');
    if (origin !== pageOrigin) return refuse('origin-mismatch');
    if (data.server !== pageOrigin) return refuse('server-is-not-this-page');
    if (!/^https?:\/\//.test(pageOrigin)) return refuse('not-a-web-page');
    if (typeof data.token !== 'string' || !TOKEN.test(data.token)) {
      return refuse('malformed-token');
    }
    return { ok: true, server: pageOrigin, token: data.token };
  }

  function refuse(reason) {
    return { ok: false, reason };
  }

  // Return the server URL typed in the popup as an origin, or null.
  function normaliseServer(text) {
    try {
      const url = new URL(String(text ?? '').trim());
      if (!/^https?:$/.test(url.protocol)) return null;
      return url.origin;
    } catch {
      return null;
    }
  }

  // Whether `url` (or an origin) is on the Ledgerium server the extension
  // is connected to. The agent connects, starts and reviews there: those
  // pages are never part of the incident, so they are never recorded.
  function onServer(url, server) {
    const origin = normaliseServer(url);
    return origin !== null && origin === normaliseServer(server);
  }

  // Return the address the popup links to after a finish: the recording's
  // page as the server named it, if it is on that server, or else the
  // server's start page.
  function pageOnServer(url, server) {
    const origin = normaliseServer(server);
    if (origin === null) return null;
    return onServer(url, origin) ? new URL(url).href : `${origin}/`;
  }

  function isToken(text) {
    return TOKEN.test(String(text ?? ''));
  }

  // Whether the service worker may store a connection a sender hands it:
  // the popup may connect anywhere the agent typed; a page only its own
  // top frame to itself, whatever its content script was told.
  function senderMayConnect({ fromPopup, frameId, senderUrl, server }) {
    if (fromPopup) return true;
    return frameId === 0 && onServer(senderUrl, server);
  }

  ns.connect = {
    checkConnectRequest,
    isToken,
    normaliseServer,
    onServer,
    pageOnServer,
    senderMayConnect
  };
})();
