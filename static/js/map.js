// Draw every process map on the page with the vendored mermaid.js.
//
// The Mermaid source sits in the page as text, so without scripts a reader
// still sees it. Strict security keeps labels as text, never markup.
async function drawMaps() {
  if (!window.mermaid) return;
  window.mermaid.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    htmlLabels: false,
    flowchart: { htmlLabels: false },
  });
  const sources = document.querySelectorAll('[data-mermaid]');
  for (const [index, source] of sources.entries()) {
    const holder = source.parentElement;
    try {
      const { svg } = await window.mermaid.render(`map-${index}`, source.textContent);
      holder.innerHTML = svg;
      const drawn = holder.querySelector('svg');
      drawn.setAttribute('role', 'img');
      drawn.setAttribute('aria-label', 'Process map');
      holder.dataset.drawn = 'true';
    } catch (error) {
      holder.dataset.drawn = 'failed';
      console.warn('The process map could not be drawn', error);
    }
  }
}

document.addEventListener('DOMContentLoaded', drawMaps);
