// The redaction rules, the same as the server's apps/recordings/redaction.py
// and held to the same vectors (schema/redaction-vectors.json). Loaded as a
// classic content script, and as a side-effect module by the service worker
// and the tests, so it exports through a namespace on globalThis.
(() => {
  const ns = (globalThis.ledgerium ??= {});

  // Python's ASCII \s: JavaScript's would also take Unicode spaces.
  const SPACE = '[ \\t\\n\\r\\f\\v]';
  const WIDE = '\\u00c0-\\u{10ffff}';

  // Text without any of these cannot match a rule: each is a part that
  // every match of some rule holds, so the search changes no result.
  const TRIGGER = new RegExp(
    [
      '@',
      '://',
      'www\\.',
      '[Bb][Ee][Aa][Rr][Ee][Rr]',
      'eyJ',
      '(?:sk|pk|rk)_(?:live|test)_',
      'gh[pousr]_',
      'github_pat_',
      'xox[abposr]-',
      'A(?:KIA|SIA|Iza)',
      'ldg_',
      '[A-Za-z]{2}[0-9]{2}',
      '[0-9][0-9 ().+-]{4,}[0-9]',
      '[A-Za-z0-9_+/-]{32}'
    ].join('|'),
    'u'
  );

  const URL_QUERY = new RegExp(
    `(?<url>(?:[A-Za-z][A-Za-z0-9+.-]{0,31}://|www\\.)[^?#${SPACE.slice(1, -1)}]*)` +
      `(?<rest>(?:\\?(?!\\[query\\])|#)[^${SPACE.slice(1, -1)}]*)`,
    'gu'
  );
  const BEARER = new RegExp(
    `(?<word>bearer)${SPACE}+(?!\\[token\\])[A-Za-z0-9._~+/-]+=*`,
    'giu'
  );
  const JWT = /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/gu;
  const API_KEY = new RegExp(
    '(?<![A-Za-z0-9_])(?:' +
      [
        '(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}',
        'gh[pousr]_[A-Za-z0-9]{20,}',
        'github_pat_[A-Za-z0-9_]{20,}',
        'xox[abposr]-[A-Za-z0-9-]{10,}',
        'A(?:KIA|SIA)[0-9A-Z]{16}',
        'AIza[A-Za-z0-9_-]{30,}',
        'ldg_[A-Za-z0-9_-]{20,}'
      ].join('|') +
      ')',
    'gu'
  );
  const EMAIL = new RegExp(
    `[A-Za-z0-9.!#$%&'*+/=?^_\`{|}~${WIDE}-]{1,64}` +
      `@[A-Za-z0-9${WIDE}-]{1,63}(?:\\.[A-Za-z0-9${WIDE}-]{1,63})*` +
      `\\.(?:[Xx][Nn]--[A-Za-z0-9-]{1,59}|[A-Za-z${WIDE}]{2,63})`,
    'gu'
  );
  const IBAN =
    /(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])/gu;
  // Digits with single spaces or dashes between them, or dotted groups: four
  // to six digits, then two to four groups of three to six. An IP address or
  // a version number (groups of three digits at most) is never a card.
  const CARD =
    /(?<![0-9A-Za-z-])(?:(?:[0-9][ -]?){12,18}[0-9]|[0-9]{4,6}(?:\.[0-9]{3,6}){2,4})(?![0-9A-Za-z])/gu;
  const ACCOUNT =
    /(?<word>(?:account|acct|a\/c)(?: ?(?:no\.?|number|#))?[ :#]*)[0-9][0-9 .-]{4,}[0-9]/giu;
  const PHONE = new RegExp(
    '(?<![A-Za-z0-9_-])(?:' +
      [
        '\\+[0-9][0-9 ().-]{6,}[0-9]',
        '\\([0-9]{3}\\) ?[0-9]{3}[-. ][0-9]{4}',
        '[0-9]{3}[-. ][0-9]{3}[-. ][0-9]{4}',
        '0[0-9]{2,4}[ -][0-9]{3,4}[ -]?[0-9]{3,4}'
      ].join('|') +
      ')(?![A-Za-z0-9_-])',
    'gu'
  );
  const HEX_SECRET = /(?<![A-Za-z0-9_-])[0-9a-fA-F]{32,}(?![A-Za-z0-9_-])/gu;
  const B64_SECRET =
    /(?<![A-Za-z0-9_+/=-])[A-Za-z0-9_+/-]{32,}={0,2}(?![A-Za-z0-9_+/=-])/gu;
  const DIGITS = /(?<![A-Za-z0-9_-])[0-9]{9,}(?![A-Za-z0-9_])/gu;

  function luhnValid(digits) {
    let total = 0;
    for (let position = 0; position < digits.length; position += 1) {
      let value = Number(digits[digits.length - 1 - position]);
      if (position % 2) value = value > 4 ? value * 2 - 9 : value * 2;
      total += value;
    }
    return total % 10 === 0;
  }

  // ISO 13616: move the country and check digits to the end, read letters
  // as numbers from 10, and the whole must leave 1 modulo 97.
  function ibanValid(text) {
    const compact = text.replace(/ /g, '');
    if (compact.length < 15 || compact.length > 34) return false;
    const moved = compact.slice(4) + compact.slice(0, 4);
    let remainder = 0;
    for (const char of moved) {
      const digits = String(parseInt(char, 36));
      for (const digit of digits)
        remainder = (remainder * 10 + Number(digit)) % 97;
    }
    return remainder === 1;
  }

  function card(match) {
    const digits = match[0].replace(/[^0-9]/g, '');
    return digits.length >= 13 && digits.length <= 19 && luhnValid(digits)
      ? '[card]'
      : null;
  }

  function b64Secret(match) {
    const text = match[0];
    const mixed =
      /[0-9]/.test(text) && /[a-z]/.test(text) && /[A-Z]/.test(text);
    return mixed ? '[secret]' : null;
  }

  // The order matters: a URL's query goes before the email inside it is
  // seen, a card before its digits count as a long run.
  const SUBSTITUTIONS = [
    ['query', URL_QUERY, (m) => `${m.groups.url}?[query]`],
    ['bearer', BEARER, (m) => `${m.groups.word} [token]`],
    ['jwt', JWT, () => '[token]'],
    ['api_key', API_KEY, () => '[api_key]'],
    ['email', EMAIL, () => '[email]'],
    ['iban', IBAN, (m) => (ibanValid(m[0]) ? '[iban]' : null)],
    ['card', CARD, card],
    ['account', ACCOUNT, (m) => `${m.groups.word}[account]`],
    ['phone', PHONE, () => '[phone]'],
    ['secret', HEX_SECRET, () => '[secret]'],
    ['secret', B64_SECRET, b64Secret],
    ['digits', DIGITS, () => '[number]']
  ];
  const RULES = [...new Set(SUBSTITUTIONS.map(([rule]) => rule))];

  function apply(rule, pattern, replace, text, counts) {
    return text.replace(pattern, (...args) => {
      const groups = typeof args.at(-1) === 'object' ? args.at(-1) : undefined;
      const match = Object.assign([args[0]], { groups });
      const replacement = replace(match);
      if (replacement === null) return args[0];
      counts[rule] = (counts[rule] ?? 0) + 1;
      return replacement;
    });
  }

  const FORMAT = /\p{Cf}/u;
  const SPACE_SEPARATOR = /\p{Zs}/u;
  const DECIMAL_DIGIT = /\p{Nd}/u;
  const READ_OTHERWISE = /[\p{Cf}\p{Zs}\p{Nd}]/gu;

  // Unicode encodes the decimal digits of each script as a run from zero to
  // nine, and runs only ever sit next to other whole runs: a digit's value is
  // its distance from the first digit of its stretch, modulo ten.
  function digitValue(char) {
    const code = char.codePointAt(0);
    let zero = code;
    while (DECIMAL_DIGIT.test(String.fromCodePoint(zero - 1))) zero -= 1;
    return String((code - zero) % 10);
  }

  function plainChar(char) {
    if (char <= '\x7f') return char;
    if (FORMAT.test(char)) return '';
    if (SPACE_SEPARATOR.test(char)) return ' ';
    return digitValue(char);
  }

  // The text as the rules read it: format characters (zero-width spaces,
  // soft hyphens, direction marks) dropped, every space separator read as a
  // space and every decimal digit as its ASCII digit, then NFKC for the
  // remaining look-alikes (full-width letters and signs). Otherwise a secret
  // split or spelled with them would pass every rule.
  function plain(text) {
    // eslint-disable-next-line no-control-regex
    if (!/[^\x00-\x7f]/u.test(text)) return text;
    return text.replace(READ_OTHERWISE, plainChar).normalize('NFKC');
  }

  // Text in which nothing is found is returned as it was written, so the
  // reading through plain() changes only text that is redacted anyway.
  function redactInto(text, counts) {
    if (!text) return text ?? '';
    let result = plain(text);
    if (!TRIGGER.test(result)) return text;
    const found = {};
    for (const [rule, pattern, replace] of SUBSTITUTIONS) {
      result = apply(rule, pattern, replace, result, found);
    }
    if (!Object.keys(found).length) return text;
    addCounts(counts, found);
    return result;
  }

  // Return {text, counts}: the text with every finding replaced by its
  // marker, and the number of findings per rule.
  function redactText(text) {
    const counts = {};
    return { text: redactInto(text, counts), counts };
  }

  // Return {text, counts} for a URL path: query and fragment cut (counted as
  // "query"), then the text rules on each segment.
  function redactPath(path) {
    const counts = {};
    let result = path ?? '';
    const cuts = [result.indexOf('?'), result.indexOf('#')].filter(
      (at) => at >= 0
    );
    if (cuts.length) {
      result = result.slice(0, Math.min(...cuts));
      counts.query = 1;
    }
    if (result.includes('%') || TRIGGER.test(plain(result))) {
      result = result
        .split('/')
        .map((segment) => redactSegment(segment, counts))
        .join('/');
    }
    return { text: result, counts };
  }

  const ESCAPES = /(?:%[0-9A-Fa-f]{2})+/gu;
  // Encoded back in a redacted segment, so that it stays one printable
  // segment.
  // eslint-disable-next-line no-control-regex
  const UNSAFE_IN_SEGMENT = /[\x00-\x20\x7f%/?#\ufffe\uffff]/gu;
  const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });
  const ENCODER = new TextEncoder();

  // Redact a segment as it reads: percent-decoded, encoded back if changed.
  function redactSegment(segment, counts) {
    if (!segment.includes('%')) return redactInto(segment, counts);
    const decoded = percentDecode(segment);
    const redacted = redactInto(decoded, counts);
    if (redacted === decoded) return segment;
    return redacted.replace(UNSAFE_IN_SEGMENT, (char) =>
      [...ENCODER.encode(char)]
        .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
        .join('')
    );
  }

  // Up to three rounds: text encoded twice still reads as the finding.
  function percentDecode(segment) {
    let text = segment;
    for (let round = 0; round < 3; round += 1) {
      const decoded = text.replace(ESCAPES, (escapes) =>
        UTF8.decode(
          Uint8Array.from(escapes.slice(1).split('%'), (hex) =>
            parseInt(hex, 16)
          )
        )
      );
      if (decoded === text) break;
      text = decoded;
    }
    return text;
  }

  function addCounts(total, counts) {
    for (const [name, count] of Object.entries(counts)) {
      total[name] = (total[name] ?? 0) + count;
    }
    return total;
  }

  ns.redact = {
    RULES,
    addCounts,
    ibanValid,
    luhnValid,
    redactPath,
    redactText
  };
})();
