// Draw every process map on the page with the vendored mermaid.js, and give
// a map inside a [data-map-viewport] its zoom controls and drag panning.
//
// The Mermaid source sits in the page as text, so without scripts a reader
// still sees it. Strict security keeps labels as text, never markup.
//
// mermaid.js is large, so a page may leave it out and name it instead on
// this script's element (data-mermaid-src): it is then fetched only when a
// map is about to be shown, and a page whose maps stay hidden never loads it.
const ZOOM_STEP = 1.25;
const ZOOM_MIN = 0.2;
const ZOOM_MAX = 4;
// The smallest label, in CSS pixels, that a map starts at.
const LEGIBLE_TEXT_PX = 12;
// The smallest label a map marked to start whole (data-map-start="fit")
// starts at: a small map of a few boxes is read whole before its labels.
const FITTED_TEXT_PX = 10;
// How long a map's box keeps one width before the map is fitted to it again:
// a window dragged wider fits the map once, not at every step.
const RESIZE_SETTLE_MS = 120;
// currentScript is only set while this file runs, not when the maps draw.
const MERMAID_SRC = document.currentScript?.dataset.mermaidSrc;

let mermaidReady = null;
// Mermaid draws one map at a time: each waits for the one before.
let drawing = Promise.resolve();

function drawMaps() {
  const sources = document.querySelectorAll('pre[data-mermaid]');
  for (const [index, source] of sources.entries()) {
    whenShown(source.parentElement, () => {
      drawing = drawing.then(() => drawMap(source, `map-${index}`));
    });
  }
}

async function drawMap(source, id) {
  const holder = source.parentElement;
  try {
    const mermaid = await loadMermaid();
    const text = source.textContent;
    const { svg } = await mermaid.render(id, text);
    source.innerHTML = svg;
    const drawn = source.querySelector('svg');
    drawn.setAttribute('role', 'img');
    drawn.setAttribute('aria-label', 'Process map');
    holder.dataset.drawn = 'true';
    const viewport = source.closest('[data-map-viewport]');
    // The map may have been hidden again while mermaid.js loaded.
    whenShown(holder, () => {
      if (window.drawLaneLinks) window.drawLaneLinks(drawn, text);
      if (viewport) enableZoom(viewport, drawn);
    });
  } catch (error) {
    holder.dataset.drawn = 'failed';
    source.setAttribute('data-error', String(error));
    console.warn('The process map could not be drawn', error);
  }
}

// Resolve to mermaid once it is loaded and set up, loading it at most once.
function loadMermaid() {
  if (!mermaidReady) {
    const loaded = window.mermaid
      ? Promise.resolve(window.mermaid)
      : insertScript(MERMAID_SRC);
    mermaidReady = loaded.then((mermaid) => {
      mermaid.initialize({
        startOnLoad: false,
        securityLevel: 'strict',
        htmlLabels: false,
        flowchart: { htmlLabels: false },
        maxTextSize: 5000000,
        maxEdges: 5000,
      });
      return mermaid;
    });
  }
  return mermaidReady;
}

// Add a script element for src to the page; the Content-Security-Policy
// (script-src 'self') allows it, as the file is served by this site.
function insertScript(src) {
  return new Promise((resolve, reject) => {
    if (!src) {
      reject(new Error('The page names no mermaid.js to draw its maps with'));
      return;
    }
    const script = document.createElement('script');
    script.src = src;
    script.addEventListener('load', () => {
      if (window.mermaid) resolve(window.mermaid);
      else reject(new Error(`${src} loaded but defined no mermaid`));
    });
    script.addEventListener('error', () => {
      reject(new Error(`mermaid.js could not be loaded from ${src}`));
    });
    document.head.append(script);
  });
}

// Call then() once the element is laid out: a map in a hidden section has
// no size to measure its boxes or fit its width by until it is shown.
function whenShown(element, then) {
  if (element.getClientRects().length) {
    then();
    return;
  }
  const observer = new ResizeObserver(() => {
    if (!element.getClientRects().length) return;
    observer.disconnect();
    then();
  });
  observer.observe(element);
}

function naturalSize(svg) {
  const box = svg.viewBox.baseVal;
  if (box && box.width) return { width: box.width, height: box.height };
  const rect = svg.getBoundingClientRect();
  return { width: rect.width, height: rect.height };
}

function enableZoom(viewport, svg) {
  const card = viewport.closest('section') || document;
  const toolbar = card.querySelector('[data-map-toolbar]');
  const level = card.querySelector('[data-map-level]');
  const help = card.querySelector('[data-map-help]');
  const size = naturalSize(svg);
  let zoom = 1;
  // How the map follows its box's width: 'start' starts it again, 'fit'
  // fits it to the width again, null keeps the view the reader chose by
  // zooming or moving the map by hand.
  let follows = 'start';
  // Where apply() left the view, to tell the reader's scrolling from it.
  let placed = null;

  // The middle of the view, in the viewport's own pixels.
  const middle = () => ({
    x: viewport.clientWidth / 2,
    y: viewport.clientHeight / 2,
  });
  // The point of the map, at its actual size, shown at `at` in the view.
  const pointAt = (at) => ({
    x: (viewport.scrollLeft + at.x) / zoom,
    y: (viewport.scrollTop + at.y) / zoom,
  });
  // Zoom to `next`, showing `point` of the map at `at` in the view: by
  // default the point already there, so that it stays where it was.
  const apply = (next, at = middle(), point = pointAt(at)) => {
    zoom = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, next));
    svg.setAttribute('width', String(Math.round(size.width * zoom)));
    svg.setAttribute('height', String(Math.round(size.height * zoom)));
    viewport.scrollLeft = point.x * zoom - at.x;
    viewport.scrollTop = point.y * zoom - at.y;
    if (level) level.textContent = `${Math.round(zoom * 100)}%`;
    viewport.dataset.zoom = zoom.toFixed(3);
    placed = {
      left: viewport.scrollLeft,
      top: viewport.scrollTop,
      width: viewport.clientWidth,
    };
  };
  const byHand = (next, at, point) => {
    follows = null;
    apply(next, at, point);
  };
  const fitZoom = () => {
    const style = window.getComputedStyle(svg.parentElement);
    const padding =
      parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    return (viewport.clientWidth - padding) / size.width;
  };
  const actions = {
    in: () => byHand(zoom * ZOOM_STEP),
    out: () => byHand(zoom / ZOOM_STEP),
    fit: () => {
      follows = 'fit';
      apply(fitZoom());
    },
    reset: () => byHand(1),
  };

  if (toolbar) {
    toolbar.addEventListener('click', (event) => {
      const button = event.target.closest('[data-map-zoom]');
      if (button) actions[button.dataset.mapZoom]();
    });
    toolbar.hidden = false;
  }
  if (help) help.hidden = false;
  viewport.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const keys = { '+': 'in', '=': 'in', '-': 'out', 0: 'reset' };
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    actions[action]();
  });
  enableGestures(viewport, { zoom: () => zoom, pointAt, apply: byHand });
  // Scrolled by the reader: by wheel, keys, scroll bar or drag. The browser
  // itself scrolls a box that changes width; the map is fitted again then.
  viewport.addEventListener('scroll', () => {
    if (viewport.clientWidth !== placed.width) return;
    const { scrollLeft, scrollTop } = viewport;
    if (scrollLeft !== placed.left || scrollTop !== placed.top) follows = null;
  });
  // A map whose whole width fits legibly starts whole: its box grows to
  // the map's height, so that no lane is cut at the bottom, and keeps that
  // height when zoomed in. A map too wide for that (on a phone, in a narrow
  // window) pans in its box. The width is measured with the box grown, as
  // it is then drawn.
  const start = () => {
    viewport.style.maxHeight = 'none';
    const fit = fitZoom();
    const smallest =
      viewport.dataset.mapStart === 'fit' ? FITTED_TEXT_PX : LEGIBLE_TEXT_PX;
    const first = startZoom(svg, size, fit, smallest);
    const whole = first <= fit;
    if (!whole) viewport.style.maxHeight = '';
    apply(first);
    if (whole) viewport.style.maxHeight = `${viewport.offsetHeight}px`;
  };
  start();
  whenResized(viewport, () => {
    if (follows === 'start') start();
    if (follows === 'fit') apply(fitZoom());
  });
}

// Call then() once element has settled at a new width while shown: in a
// window resized, or in a hidden section shown again after the window was.
// A hidden element has no width to fit anything to. The width then() leaves
// is marked on the element (data-map-width) as the one it was fitted to.
function whenResized(element, then) {
  let timer = null;
  const settled = () => {
    if (!element.clientWidth) return;
    then();
    element.dataset.mapWidth = String(element.clientWidth);
  };
  element.dataset.mapWidth = String(element.clientWidth);
  new ResizeObserver(() => {
    const width = element.clientWidth;
    if (!width || String(width) === element.dataset.mapWidth) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(settled, RESIZE_SETTLE_MS);
  }).observe(element);
}

// Start a map wider than its viewport fitted to the width, but no smaller
// than keeps its labels `smallest` pixels high; start any other map at its
// actual size.
function startZoom(svg, size, fit, smallest) {
  if (fit >= 1) return 1;
  const label = svg.querySelector('g.node:not(.lane) text');
  const fontSize = label
    ? parseFloat(window.getComputedStyle(label).fontSize)
    : 0;
  // A whole number of pixels wide, so that apply() rounding the width
  // cannot leave the labels a fraction of a pixel under `smallest`.
  const legible = fontSize
    ? Math.ceil((size.width * smallest) / fontSize) / size.width
    : 1;
  return Math.min(1, Math.max(fit, legible));
}

// One pointer drags the map; two fingers pinch it to zoom, the point
// between them staying under them. app.css turns the browser's own touch
// gestures off in the map (touch-action: none), so that a pinch there zooms
// the map instead of the page; a finger dragging past the map's edge goes
// on to scroll the page, as it would have without the script.
function enableGestures(viewport, map) {
  const pointers = new Map();
  let pinch = null;

  // Pointers are kept in client pixels, which the page scrolling under a
  // finger leaves alone; a pinch's middle is needed in the viewport's own.
  const spread = () => {
    const [a, b] = pointers.values();
    const box = viewport.getBoundingClientRect();
    return {
      at: {
        x: (a.x + b.x) / 2 - box.left - viewport.clientLeft,
        y: (a.y + b.y) / 2 - box.top - viewport.clientTop,
      },
      distance: Math.hypot(a.x - b.x, a.y - b.y) || 1,
    };
  };
  const startPinch = () => {
    const { at, distance } = spread();
    pinch = { distance, zoom: map.zoom(), point: map.pointAt(at) };
  };

  viewport.addEventListener('pointerdown', (event) => {
    if (event.button !== 0 || pointers.size === 2) return;
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    viewport.setPointerCapture(event.pointerId);
    viewport.classList.add('is-panning');
    if (pointers.size === 2) startPinch();
  });
  viewport.addEventListener('pointermove', (event) => {
    const last = pointers.get(event.pointerId);
    if (!last) return;
    const now = { x: event.clientX, y: event.clientY };
    pointers.set(event.pointerId, now);
    if (pinch) {
      const { at, distance } = spread();
      map.apply((pinch.zoom * distance) / pinch.distance, at, pinch.point);
      return;
    }
    drag(viewport, now.x - last.x, now.y - last.y, event.pointerType);
  });
  const stop = (event) => {
    if (!pointers.delete(event.pointerId)) return;
    if (viewport.hasPointerCapture(event.pointerId)) {
      viewport.releasePointerCapture(event.pointerId);
    }
    // The finger left on the glass after a pinch drags from where it is.
    pinch = null;
    if (!pointers.size) viewport.classList.remove('is-panning');
  };
  viewport.addEventListener('pointerup', stop);
  viewport.addEventListener('pointercancel', stop);
}

// Scroll the map by a pointer's move; what a finger moves past the map's
// edge scrolls the page.
function drag(viewport, dx, dy, pointerType) {
  const left = viewport.scrollLeft;
  const top = viewport.scrollTop;
  viewport.scrollLeft = left - dx;
  viewport.scrollTop = top - dy;
  if (pointerType !== 'touch') return;
  // Scroll positions snap to device pixels: ignore what that leaves over.
  const restX = Math.trunc(-dx - (viewport.scrollLeft - left));
  const restY = Math.trunc(-dy - (viewport.scrollTop - top));
  if (restX || restY) window.scrollBy(restX, restY);
}

document.addEventListener('DOMContentLoaded', drawMaps);
