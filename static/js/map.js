// Draw every process map on the page with the vendored mermaid.js, and give
// a map inside a [data-map-viewport] its zoom controls and drag panning.
//
// The Mermaid source sits in the page as text, so without scripts a reader
// still sees it. Strict security keeps labels as text, never markup.
const ZOOM_STEP = 1.25;
const ZOOM_MIN = 0.2;
const ZOOM_MAX = 4;
// The smallest label, in CSS pixels, that a map starts at.
const LEGIBLE_TEXT_PX = 12;

async function drawMaps() {
  if (!window.mermaid) return;
  window.mermaid.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    htmlLabels: false,
    flowchart: { htmlLabels: false },
    maxTextSize: 5000000,
    maxEdges: 5000,
  });
  const sources = document.querySelectorAll('pre[data-mermaid]');
  for (const [index, source] of sources.entries()) {
    const holder = source.parentElement;
    try {
      const text = source.textContent;
      const { svg } = await window.mermaid.render(`map-${index}`, text);
      source.innerHTML = svg;
      const drawn = source.querySelector('svg');
      drawn.setAttribute('role', 'img');
      drawn.setAttribute('aria-label', 'Process map');
      holder.dataset.drawn = 'true';
      const viewport = source.closest('[data-map-viewport]');
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

  const apply = (next) => {
    const clamped = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, next));
    // Keep the point at the centre of the view where it was.
    const centreX = (viewport.scrollLeft + viewport.clientWidth / 2) / zoom;
    const centreY = (viewport.scrollTop + viewport.clientHeight / 2) / zoom;
    zoom = clamped;
    svg.setAttribute('width', String(Math.round(size.width * zoom)));
    svg.setAttribute('height', String(Math.round(size.height * zoom)));
    viewport.scrollLeft = centreX * zoom - viewport.clientWidth / 2;
    viewport.scrollTop = centreY * zoom - viewport.clientHeight / 2;
    if (level) level.textContent = `${Math.round(zoom * 100)}%`;
    viewport.dataset.zoom = zoom.toFixed(3);
  };
  const fitZoom = () => {
    const style = window.getComputedStyle(svg.parentElement);
    const padding =
      parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    return (viewport.clientWidth - padding) / size.width;
  };
  const actions = {
    in: () => apply(zoom * ZOOM_STEP),
    out: () => apply(zoom / ZOOM_STEP),
    fit: () => apply(fitZoom()),
    reset: () => apply(1),
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
  enablePanning(viewport);
  apply(startZoom(svg, size, fitZoom()));
}

// Start a map wider than its viewport fitted to the width, but no smaller
// than keeps its labels legible; start any other map at its actual size.
function startZoom(svg, size, fit) {
  if (fit >= 1) return 1;
  const label = svg.querySelector('g.node:not(.lane) text');
  const fontSize = label
    ? parseFloat(window.getComputedStyle(label).fontSize)
    : 0;
  // A whole number of pixels wide, so that apply() rounding the width
  // cannot leave the labels a fraction of a pixel under LEGIBLE_TEXT_PX.
  const legible = fontSize
    ? Math.ceil((size.width * LEGIBLE_TEXT_PX) / fontSize) / size.width
    : 1;
  return Math.min(1, Math.max(fit, legible));
}

function enablePanning(viewport) {
  let start = null;
  viewport.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    start = {
      x: event.clientX,
      y: event.clientY,
      left: viewport.scrollLeft,
      top: viewport.scrollTop,
    };
    viewport.setPointerCapture(event.pointerId);
    viewport.classList.add('is-panning');
  });
  viewport.addEventListener('pointermove', (event) => {
    if (!start) return;
    viewport.scrollLeft = start.left - (event.clientX - start.x);
    viewport.scrollTop = start.top - (event.clientY - start.y);
  });
  const stop = (event) => {
    if (!start) return;
    start = null;
    viewport.releasePointerCapture(event.pointerId);
    viewport.classList.remove('is-panning');
  };
  viewport.addEventListener('pointerup', stop);
  viewport.addEventListener('pointercancel', stop);
}

document.addEventListener('DOMContentLoaded', drawMaps);
