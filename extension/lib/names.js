// Name what the agent acted on the way assistive technology would, from the
// DOM alone. Pure: it reads elements it is given and touches no chrome.* API.
(() => {
  const ns = (globalThis.ledgerium ??= {});

  const ACTIONABLE_ROLES = new Set([
    'button',
    'link',
    'menuitem',
    'menuitemcheckbox',
    'menuitemradio',
    'tab',
    'row',
    'treeitem',
    'switch',
    'gridcell'
  ]);
  const CHOICE_ROLES = new Set(['option']);
  const BUTTON_TYPES = new Set(['button', 'submit', 'reset', 'image']);
  const SKIPPED_TAGS = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE']);
  const SENSITIVE_AUTOCOMPLETE =
    /\b(?:current-password|new-password|one-time-code|cc-number|cc-csc|cc-exp(?:-month|-year)?)\b/;
  const SENSITIVE_NAME =
    /pass(?:word|wd|code|phrase)?\b|passwd|pwd|secret|api[-_ ]?key|\btoken\b|\botp\b|\bcvv\b|\bcvc\b|\bssn\b|social.?security|card.?number|\bpin\b/i;
  const ICON_CLASS =
    /(?:^|\s)(?:fa|fas|far|bi|icon|glyphicon|mdi|ti|codicon|ph)-([a-z][a-z0-9-]*)/gi;
  const ICON_NOISE = new Set([
    'solid',
    'regular',
    'light',
    'thin',
    'duotone',
    'brands',
    'fw',
    'lg',
    'sm',
    'xs',
    'xl',
    '2x',
    '3x',
    'spin',
    'button',
    'btn'
  ]);

  function collapse(text) {
    return (text ?? '').replace(/\s+/g, ' ').trim();
  }

  function isHidden(el) {
    return (
      el.hidden ||
      el.getAttribute?.('aria-hidden') === 'true' ||
      el.style?.display === 'none'
    );
  }

  // Return the text a person sees inside a node, descending into open
  // shadow roots and slots, and taking image alternatives as text.
  function visibleText(node) {
    if (node.nodeType === 3) return node.nodeValue;
    if (node.nodeType !== 1 && node.nodeType !== 11) return '';
    if (node.nodeType === 1) {
      if (SKIPPED_TAGS.has(node.tagName) || isHidden(node)) return '';
      if (node.tagName === 'IMG') return ` ${node.getAttribute('alt') ?? ''} `;
      if (node.tagName.toLowerCase() === 'title') return '';
      if (node.tagName === 'SLOT') {
        return node.assignedNodes().map(visibleText).join('');
      }
      if (node.tagName.toLowerCase() === 'svg') return svgTitle(node);
    }
    const root = node.shadowRoot ?? node;
    const parts = Array.from(root.childNodes, visibleText);
    // Block-level children read as separate words, not glued together.
    return parts.join(node.nodeType === 1 && node.tagName === 'TR' ? ' ' : '');
  }

  function svgTitle(svg) {
    const title = svg.querySelector('title');
    const label = svg.getAttribute('aria-label');
    return ` ${label ?? title?.textContent ?? ''} `;
  }

  function byIds(el, ids) {
    const root = el.getRootNode();
    const lookup = (id) =>
      root.getElementById?.(id) ?? el.ownerDocument.getElementById(id);
    return ids
      .split(/\s+/)
      .filter(Boolean)
      .map(lookup)
      .filter(Boolean)
      .map((target) => collapse(visibleText(target)))
      .join(' ');
  }

  function labelsText(el) {
    const labels = el.labels ? Array.from(el.labels) : [];
    if (!labels.length && el.id) {
      const root = el.getRootNode();
      const found = root.querySelector?.(`label[for="${CSS_escape(el.id)}"]`);
      if (found) labels.push(found);
    }
    const wrapping = el.closest?.('label');
    if (wrapping && !labels.includes(wrapping)) labels.push(wrapping);
    return collapse(labels.map(labelTextWithoutControl).join(' '));
  }

  // A label that wraps its control would otherwise read a select's options.
  function labelTextWithoutControl(label) {
    const clone = label.cloneNode(true);
    clone
      .querySelectorAll('select, textarea, input, [role="listbox"]')
      .forEach((control) => control.remove());
    return visibleText(clone);
  }

  function CSS_escape(value) {
    return value.replace(/["\\]/g, '\\$&');
  }

  function iconName(el) {
    const candidates = [el, ...el.querySelectorAll('*')];
    for (const candidate of candidates) {
      const words = [];
      const classes = candidate.getAttribute('class') ?? '';
      for (const match of classes.matchAll(ICON_CLASS)) {
        const word = match[1].toLowerCase();
        if (!ICON_NOISE.has(word)) words.push(word.replace(/-/g, ' '));
      }
      const dataIcon = candidate.getAttribute('data-icon');
      if (dataIcon) words.push(dataIcon.replace(/[-_]/g, ' '));
      if (words.length) return words[0];
    }
    return '';
  }

  function humanize(identifier) {
    return collapse(
      (identifier ?? '')
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .replace(/[_\-.[\]]+/g, ' ')
    );
  }

  // Return the accessible name of an element, or a name made from its icon
  // when it has none, so that an icon-only button still reads as something.
  function accessibleName(el) {
    const labelledby = el.getAttribute('aria-labelledby');
    const steps = [
      () => (labelledby ? byIds(el, labelledby) : ''),
      () => el.getAttribute('aria-label'),
      () => (isLabelable(el) ? labelsText(el) : ''),
      () => (isInputButton(el) ? el.value || el.getAttribute('alt') : ''),
      () => (isLabelable(el) ? '' : visibleText(el)),
      () => el.getAttribute('title'),
      () => el.getAttribute('alt'),
      () => descendantAttribute(el, 'title'),
      () => el.getAttribute('placeholder'),
      () => iconName(el)
    ];
    for (const step of steps) {
      const name = collapse(step());
      if (name) return name;
    }
    return '';
  }

  function descendantAttribute(el, attribute) {
    const found = el.querySelector?.(`[${attribute}]`);
    return found ? found.getAttribute(attribute) : '';
  }

  function isLabelable(el) {
    return [
      'INPUT',
      'SELECT',
      'TEXTAREA',
      'METER',
      'PROGRESS',
      'OUTPUT'
    ].includes(el.tagName);
  }

  function isInputButton(el) {
    return el.tagName === 'INPUT' && BUTTON_TYPES.has(el.type);
  }

  function implicitRole(el) {
    const tag = el.tagName;
    if (tag === 'A' && el.hasAttribute('href')) return 'link';
    if (tag === 'BUTTON' || tag === 'SUMMARY' || isInputButton(el))
      return 'button';
    if (tag === 'TR') return 'row';
    if (tag === 'OPTION') return 'option';
    if (tag === 'SELECT')
      return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
    if (tag === 'TEXTAREA') return 'textbox';
    if (tag === 'INPUT') {
      if (el.type === 'checkbox') return 'checkbox';
      if (el.type === 'radio') return 'radio';
      return 'textbox';
    }
    return '';
  }

  function roleOf(el) {
    const explicit = (el.getAttribute('role') ?? '').trim().split(/\s+/)[0];
    return explicit || implicitRole(el);
  }

  // Return the element a click was meant for: the nearest thing on the
  // composed path (across open shadow roots) that a person acts on. Pages
  // that script plain elements for clicks are met half-way: an element with
  // an onclick attribute, or the outermost one that shows a pointer cursor
  // (cursorOf gives it, since styles need a live page).
  function findActionable(path, { cursorOf = () => '' } = {}) {
    const elements = path.filter((node) => node?.nodeType === 1);
    for (const node of elements) {
      const role = roleOf(node);
      if (CHOICE_ROLES.has(role) && node.tagName !== 'OPTION') {
        return { element: node, kind: 'option' };
      }
      if (ACTIONABLE_ROLES.has(role)) {
        if (role === 'row' && !isClickableRow(node)) continue;
        return { element: node, kind: 'action' };
      }
      if (
        ['SELECT', 'INPUT', 'TEXTAREA', 'OPTION', 'LABEL'].includes(
          node.tagName
        )
      ) {
        return null;
      }
      if (node.isContentEditable) return null;
    }
    return scriptedTarget(elements, cursorOf);
  }

  function scriptedTarget(elements, cursorOf) {
    const body = elements.findIndex((node) => node.tagName === 'BODY');
    const inside = body >= 0 ? elements.slice(0, body) : elements;
    const scripted = inside.find((node) => node.hasAttribute('onclick'));
    if (scripted) return { element: scripted, kind: 'action' };
    let pointer = null;
    for (const node of inside) {
      if (cursorOf(node) !== 'pointer') break;
      pointer = node;
    }
    return pointer && accessibleName(pointer)
      ? { element: pointer, kind: 'action' }
      : null;
  }

  // A table row counts as actionable only in a table that is a grid or that
  // a page scripted for clicks; plain data tables would flood the steps.
  function isClickableRow(row) {
    if (row.getAttribute('role') === 'row') return true;
    if (row.hasAttribute('onclick') || row.hasAttribute('data-href'))
      return true;
    const table = row.closest('table');
    return Boolean(
      table && /grid|treegrid/.test(table.getAttribute('role') ?? '')
    );
  }

  function legendOf(el) {
    const fieldset = el.closest?.('fieldset');
    const legend = fieldset?.querySelector('legend');
    if (legend) return collapse(visibleText(legend));
    const group = el.closest?.('[role="radiogroup"], [role="group"]');
    return group ? accessibleName(group) : '';
  }

  // Return the label of a form field: its accessible name, else a name made
  // from its name or id attribute.
  function fieldLabel(el) {
    return (
      accessibleName(el) || humanize(el.getAttribute('name') || el.id) || ''
    );
  }

  // Return the question a radio button answers: its fieldset's legend or
  // radiogroup's label, else the group's name attribute.
  function groupLabel(radio) {
    return legendOf(radio) || humanize(radio.getAttribute('name')) || '';
  }

  function fieldKind(el) {
    if (el.tagName === 'TEXTAREA') return 'textarea';
    if (el.tagName === 'SELECT') return 'select';
    if (el.tagName === 'INPUT') {
      if (el.type === 'radio') return 'radio';
      if (el.type === 'checkbox') return 'checkbox';
      return 'text';
    }
    const role = roleOf(el);
    if (role === 'combobox' || role === 'listbox') return role;
    if (el.isContentEditable) return 'textarea';
    return 'other';
  }

  // Return true for fields whose very presence in a step would leak a
  // secret: passwords, one-time codes, card numbers.
  function isSensitive(el) {
    if (el.tagName === 'INPUT' && el.type === 'password') return true;
    const autocomplete = el.getAttribute('autocomplete') ?? '';
    if (SENSITIVE_AUTOCOMPLETE.test(autocomplete)) return true;
    const hints = [
      el.getAttribute('name'),
      el.id,
      el.getAttribute('aria-label'),
      el.getAttribute('placeholder')
    ].join(' ');
    return SENSITIVE_NAME.test(hints);
  }

  function selectedOptionLabel(select) {
    const chosen = Array.from(select.selectedOptions ?? []);
    return collapse(
      chosen.map((option) => option.label || visibleText(option)).join(', ')
    );
  }

  // Return the label of the listbox or combobox an ARIA option belongs to:
  // the list's own label, else the label of the combobox that controls it.
  function optionOwnerLabel(option) {
    const list = option.closest(
      '[role="listbox"], [role="menu"], [role="tree"]'
    );
    if (!list) return '';
    if (
      list.hasAttribute('aria-label') ||
      list.hasAttribute('aria-labelledby')
    ) {
      return accessibleName(list);
    }
    if (!list.id) return '';
    const id = CSS_escape(list.id);
    const combobox = list
      .getRootNode()
      .querySelector?.(`[aria-controls~="${id}"], [aria-owns~="${id}"]`);
    return combobox ? fieldLabel(combobox) : '';
  }

  // Return text with every value the agent typed replaced by a marker: a
  // page may echo a search term into a button or its title ("Search for
  // …"), and what was typed must not leave the page that way either.
  function maskTyped(text, typedValues) {
    let result = text ?? '';
    const values = [...typedValues]
      .map((value) => collapse(value))
      .filter((value) => value.length >= 3)
      .sort((a, b) => b.length - a.length);
    for (const value of values) {
      result = result.split(value).join('[typed text]');
    }
    return result;
  }

  ns.names = {
    maskTyped,
    accessibleName,
    collapse,
    fieldKind,
    fieldLabel,
    findActionable,
    groupLabel,
    humanize,
    isSensitive,
    optionOwnerLabel,
    roleOf,
    selectedOptionLabel,
    visibleText
  };
})();
