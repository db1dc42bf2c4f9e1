// Small progressive enhancements; every page works without them.
document.addEventListener('change', (event) => {
  const target = event.target;
  if (target.matches('select[data-autosubmit]')) target.form.requestSubmit();
});
document.addEventListener('focusin', (event) => {
  if (event.target.matches('input[data-token]')) event.target.select();
});
// A destructive form or button carries data-confirm: ask before it posts.
// Without scripts the server asks on a page of its own instead.
document.addEventListener('submit', (event) => {
  const form = event.target;
  const asking = [event.submitter, form].find((node) => node?.dataset.confirm);
  if (!asking) return;
  if (!window.confirm(asking.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  if (!form.querySelector('input[name="confirmed"]')) {
    const confirmed = document.createElement('input');
    confirmed.type = 'hidden';
    confirmed.name = 'confirmed';
    confirmed.value = 'yes';
    form.append(confirmed);
  }
});

// At phone width the site menu is a disclosure (base.html): Escape folds
// it again and leaves the focus on its button, as any menu does.
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  const menu = document.querySelector('details.site-menu[open]');
  const button = menu?.querySelector('summary');
  if (!button?.checkVisibility()) return;
  menu.open = false;
  button.focus();
});

// A value shown once (a new token, a share link) gets a Copy button where
// the browser lets pages write to the clipboard.
document.querySelectorAll('button[data-copy]').forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const status = button.nextElementSibling;
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      if (status) status.textContent = button.dataset.copied;
    } catch {
      field.select();
      if (status) status.textContent = button.dataset.failed;
    }
  });
});

// A report chart too wide for a phone scrolls sideways (see app.css); while
// it does, it is marked data-overflow, which draws the shadows at its edges,
// and the keyboard can reach it and scroll it with the arrow keys.
const scrollingCharts = new ResizeObserver((entries) => {
  for (const { target } of entries) {
    const overflows = target.scrollWidth > target.clientWidth;
    target.toggleAttribute('data-overflow', overflows);
    if (overflows) target.tabIndex = 0;
    else target.removeAttribute('tabindex');
  }
});
document.querySelectorAll('figure.chart').forEach((figure) => {
  scrollingCharts.observe(figure);
});

// At phone width a table that repeats the chart (or the map) beside it starts
// folded (details[data-fold-narrow]), so that each adds no screenful to a long
// report; its summary opens it. On a wider screen it is open, and app.css
// hides its summary. The width is the one app.css stacks tables at.
const phoneWidth = window.matchMedia('(max-width: 600px)');
const foldTables = () => {
  document.querySelectorAll('details[data-fold-narrow]').forEach((details) => {
    details.open = !phoneWidth.matches;
  });
};
foldTables();
phoneWidth.addEventListener('change', foldTables);

// At phone width app.css draws each row of a data table as a block of its
// own, every cell led by its column's header, so that no column hides
// behind a sideways scroll. The header text is copied here into each cell's
// data-label. A table marked data-keep-table keeps its grid.
//
// Once display changes from table, some browsers stop announcing a table,
// so the roles are given outright; the header row stays in the page, only
// out of sight, and a screen reader still reads each cell with its header.
const TABLE_ROLES = [
  ['table', 'table'],
  ['thead, tbody, tfoot', 'rowgroup'],
  ['tr', 'row'],
  ['thead th', 'columnheader'],
  ['tbody th, tfoot th', 'rowheader'],
  ['td', 'cell'],
];

// The header's visible text: a header kept only for a screen reader, such
// as "Actions" over a column of buttons, labels nothing on screen.
function headerLabel(th) {
  const copy = th.cloneNode(true);
  copy.querySelectorAll('.visually-hidden').forEach((node) => node.remove());
  return copy.textContent.trim().replace(/\s+/g, ' ');
}

// Return the label of each column of the header row, by column index.
function columnLabels(headerRow) {
  const labels = [];
  for (const cell of headerRow.cells) {
    for (let span = 0; span < cell.colSpan; span += 1) {
      labels.push(headerLabel(cell));
    }
  }
  return labels;
}

function labelRow(row, labels) {
  let column = 0;
  for (const cell of row.cells) {
    const label = cell.colSpan === 1 ? labels[column] : '';
    if (label) cell.dataset.label = label;
    else delete cell.dataset.label;
    column += cell.colSpan;
  }
}

function stackTable(table) {
  if (table.hasAttribute('data-keep-table') || !table.tHead) return;
  const headerRow = table.tHead.rows[table.tHead.rows.length - 1];
  if (!headerRow) return;
  const labels = columnLabels(headerRow);
  for (const group of [...table.tBodies, table.tFoot].filter(Boolean)) {
    for (const row of group.rows) labelRow(row, labels);
  }
  for (const [selector, role] of TABLE_ROLES) {
    if (table.matches(selector)) table.setAttribute('role', role);
    table.querySelectorAll(selector).forEach((node) => {
      if (node.closest('table') === table) node.setAttribute('role', role);
    });
  }
  table.dataset.stack = '';
}

const tableRoot = document.querySelector('main');
if (tableRoot) {
  tableRoot.querySelectorAll('table').forEach(stackTable);
  // Rows or tables that a script puts in later get their labels too.
  new MutationObserver((records) => {
    const changed = new Set();
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        const table = node.closest('table');
        if (table) changed.add(table);
        node.querySelectorAll('table').forEach((inner) => changed.add(inner));
      }
    }
    changed.forEach(stackTable);
  }).observe(tableRoot, { childList: true, subtree: true });
}
