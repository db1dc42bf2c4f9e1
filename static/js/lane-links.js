// Draw the arrow from each lane's last step to the next lane's first step
// on a process map that Mermaid has laid out.
//
// Mermaid lays every link out from top to bottom, so it cannot draw these
// arrows without pushing each lane down below the end of the one before.
// The Mermaid source names the lanes in a comment ("%% lanes s1-s8 s9-s21");
// apps/workflows/mermaid.py writes it. This file runs in the workflow page
// and in the page that renders maps for PDFs (apps/workflows/render.py).
(function () {
  const LANES = /^%% lanes ((?:s\d+-s\d+ ?)+)$/m;
  const SVG = 'http://www.w3.org/2000/svg';
  // How far below the last step the arrow turns towards the next lane.
  const DROP = 12;

  function laneSpans(source) {
    const found = LANES.exec(source);
    if (!found) return [];
    return found[1]
      .trim()
      .split(' ')
      .map((span) => span.split('-').map((id) => Number(id.slice(1))));
  }

  // Return the map's step nodes by number: Mermaid names each
  // "<diagram>-flowchart-s<number>-<counter>".
  function stepNodes(svg) {
    const nodes = new Map();
    for (const node of svg.querySelectorAll('g.node')) {
      const found = /-flowchart-s(\d+)-\d+$/.exec(node.id);
      if (found) nodes.set(Number(found[1]), node);
    }
    return nodes;
  }

  // Return a node's box in the SVG's own coordinates.
  function boxOf(svg, node) {
    const box = node.getBBox();
    const matrix = svg.getScreenCTM().inverse().multiply(node.getScreenCTM());
    const corner = (x, y) => new DOMPoint(x, y).matrixTransform(matrix);
    const topLeft = corner(box.x, box.y);
    const bottomRight = corner(box.x + box.width, box.y + box.height);
    return {
      left: topLeft.x,
      top: topLeft.y,
      right: bottomRight.x,
      bottom: bottomRight.y,
    };
  }

  function laneBoxes(svg, nodes, [first, last]) {
    const boxes = [];
    for (let number = first; number <= last; number += 1) {
      if (nodes.has(number)) boxes.push(boxOf(svg, nodes.get(number)));
    }
    return boxes;
  }

  // Return the x between two lanes, over the rows the arrow climbs.
  function gapBetween(done, after, top, bottom) {
    const within = (box) => box.bottom > top && box.top < bottom;
    const right = Math.max(...done.filter(within).map((box) => box.right));
    const left = Math.min(...after.filter(within).map((box) => box.left));
    return (right + left) / 2;
  }

  function arrowPath(done, after) {
    const last = done[done.length - 1];
    const first = after[0];
    const turn = last.bottom + DROP;
    const middle = (first.top + first.bottom) / 2;
    const gap = gapBetween(done, after, middle, turn);
    const centre = (last.left + last.right) / 2;
    const points = [
      [centre, last.bottom],
      [centre, turn],
      [gap, turn],
      [gap, middle],
      [first.left, middle],
    ];
    return {
      d: points
        .map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`)
        .join(''),
      bottom: turn,
    };
  }

  function growViewBox(svg, bottom) {
    const box = svg.viewBox.baseVal;
    if (!box || !box.height || bottom + DROP <= box.y + box.height) return;
    box.height = bottom + DROP - box.y;
    if (svg.hasAttribute('height')) {
      svg.setAttribute('height', String(Math.ceil(box.height)));
    }
  }

  function drawLaneLinks(svg, source) {
    const spans = laneSpans(source);
    const nodes = stepNodes(svg);
    const lanes = spans.map((span) => laneBoxes(svg, nodes, span));
    const holder = svg.querySelector('g.edgePaths') || svg;
    let lowest = -Infinity;
    for (let index = 1; index < lanes.length; index += 1) {
      const done = lanes[index - 1];
      const after = lanes[index];
      if (!done.length || !after.length) continue;
      const { d, bottom } = arrowPath(done, after);
      const path = document.createElementNS(SVG, 'path');
      path.setAttribute('d', d);
      path.setAttribute('fill', 'none');
      path.setAttribute(
        'class',
        'edge-thickness-normal edge-pattern-solid flowchart-link lane-link',
      );
      path.setAttribute(
        'data-lane-link',
        `s${spans[index - 1][1]}-s${spans[index][0]}`,
      );
      path.setAttribute('marker-end', `url(#${svg.id}_flowchart-v2-pointEnd)`);
      holder.appendChild(path);
      lowest = Math.max(lowest, bottom);
    }
    growViewBox(svg, lowest);
  }

  window.drawLaneLinks = drawLaneLinks;
})();
