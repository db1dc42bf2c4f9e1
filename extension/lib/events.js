// Turn what a content script or the popup reports into the events of the
// recording format (apps/recordings/format.py): only the fields each type
// may carry, redacted and cut to the server's limits.
(() => {
  // Modules share one namespace and may load in any order, so others are
  // looked up when called, not when this file runs.
  const ns = (globalThis.ledgerium ??= {});

  // The same limits as format.MAX_LENGTHS on the server.
  const MAX_LENGTHS = {
    title: 300,
    origin: 255,
    path: 2048,
    name: 200,
    role: 40,
    label: 200,
    value: 500,
    note: 2000,
    system: 80
  };
  const PAGE = ['origin', 'path', 'title'];
  const FIELDS = {
    navigation: [...PAGE, 'nav'],
    click: [...PAGE, 'name', 'role'],
    field_edited: [...PAGE, 'label', 'field_kind'],
    choice_made: [...PAGE, 'label', 'field_kind', 'value', 'checked'],
    form_submitted: [...PAGE, 'name'],
    tab_opened: [...PAGE, 'opener_tab'],
    tab_switched: PAGE,
    phase_marked: ['phase'],
    note_added: ['note'],
    recording_paused: [],
    recording_resumed: []
  };
  const REDACTED = ['path', 'title', 'name', 'label', 'value', 'note'];
  const PHASES = ['log', 'triage', 'investigate', 'resolve', 'close'];
  const NAV_KINDS = ['load', 'push', 'replace', 'pop', 'hash'];
  const FIELD_KINDS = [
    'text',
    'textarea',
    'select',
    'radio',
    'checkbox',
    'combobox',
    'listbox',
    'other'
  ];
  // The kinds whose value is an option the page offers, as
  // format.CHOICE_KINDS on the server, which refuses a value anywhere else.
  const CHOICE_KINDS = ['select', 'radio', 'combobox', 'listbox'];

  // Return origin and path of a URL; the query string and fragment are
  // dropped because they are where search terms and identifiers live.
  function splitUrl(href) {
    try {
      const url = new URL(href);
      if (!/^https?:$/.test(url.protocol)) {
        const origin = url.host ? `${url.protocol}//${url.host}` : url.protocol;
        return { origin, path: '' };
      }
      return { origin: url.origin, path: url.pathname };
    } catch {
      return { origin: '', path: '' };
    }
  }

  // Cut text the way format.truncate does: by code point, ending in "…".
  function cut(text, limit) {
    const points = Array.from(text);
    if (points.length <= limit) return null;
    return points.slice(0, limit - 1).join('') + '…';
  }

  function validEnum(value, allowed) {
    return allowed.includes(value) ? value : undefined;
  }

  // Return {event, counts}: the stored event for a raw capture, and how
  // many values each redaction rule removed from it.
  function buildEvent(raw, { seq, ts, tab = 0, frame = 0 }) {
    const allowed = FIELDS[raw.type];
    if (!allowed) throw new Error(`Unknown event type: ${raw.type}`);
    const event = { seq, ts: Math.max(0, Math.round(ts)), type: raw.type };
    if (raw.type !== 'phase_marked' && raw.type !== 'note_added') {
      event.tab = tab;
      event.frame = frame;
    }
    const counts = {};
    for (const field of allowed) {
      if (field === 'value' && !CHOICE_KINDS.includes(raw.field_kind)) continue;
      const value = normalise(field, raw[field]);
      if (value === undefined || value === '') continue;
      if (REDACTED.includes(field)) {
        const redact =
          field === 'path' ? ns.redact.redactPath : ns.redact.redactText;
        const result = redact(value);
        ns.redact.addCounts(counts, result.counts);
        event[field] = result.text;
      } else {
        event[field] = value;
      }
    }
    return { event: truncate(event), counts };
  }

  function normalise(field, value) {
    if (value === undefined || value === null) return undefined;
    if (field === 'checked')
      return typeof value === 'boolean' ? value : undefined;
    if (field === 'opener_tab')
      return Number.isInteger(value) ? value : undefined;
    if (field === 'phase') return validEnum(value, PHASES);
    if (field === 'nav') return validEnum(value, NAV_KINDS);
    if (field === 'field_kind') return validEnum(value, FIELD_KINDS);
    return String(value).replace(/\s+/g, ' ').trim();
  }

  function truncate(event) {
    const truncated = [];
    for (const [field, limit] of Object.entries(MAX_LENGTHS)) {
      if (typeof event[field] !== 'string') continue;
      const shorter = cut(event[field], limit);
      if (shorter !== null) {
        event[field] = shorter;
        truncated.push(field);
      }
    }
    if (truncated.length) event.truncated = truncated.sort();
    return event;
  }

  // Return the sentence the review list shows for one event.
  function describe(event) {
    const where = event.title || event.path || event.origin || 'a page';
    switch (event.type) {
      case 'navigation':
        return `Opened ${where}`;
      case 'click':
        return `Clicked ${event.name || `a ${event.role || 'control'}`}`;
      case 'field_edited':
        return `Entered a value in ${event.label || 'a field'}`;
      case 'choice_made':
        return describeChoice(event);
      case 'form_submitted':
        return `Submitted ${event.name || 'a form'}`;
      case 'tab_opened':
        return `Opened a new tab: ${where}`;
      case 'tab_switched':
        return `Switched to the tab ${where}`;
      case 'phase_marked':
        return `Phase: ${event.phase}`;
      case 'note_added':
        return `Note: ${event.note}`;
      case 'recording_paused':
        return 'Paused the recording';
      case 'recording_resumed':
        return 'Resumed the recording';
      default:
        return event.type;
    }
  }

  function describeChoice(event) {
    const label = event.label || 'an option';
    if (event.field_kind === 'checkbox') {
      return `${event.checked ? 'Checked' : 'Unchecked'} ${label}`;
    }
    return `Chose ${event.value || 'an option'} for ${label}`;
  }

  ns.events = { MAX_LENGTHS, FIELDS, PHASES, buildEvent, describe, splitUrl };
})();
