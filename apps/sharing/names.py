"""People's names on a shared page, replaced by "the agent" or "Assignee A".

Pure: the names to hide come in (the recording agents, the people a run
made the owner, the people a run chose in a field that holds a person, and
the organization's members), and any text, list or dict of texts comes back
with every whole occurrence of one of them replaced, in any letter case,
with or without its accents, and every email address withheld.
"""

import functools
import re
import unicodedata
from collections import defaultdict

from apps.workflows.sop import PHASE_TITLES

ONE_AGENT = "the agent"
COLLEAGUE = "a colleague"
EMAIL_WITHHELD = "(email withheld)"
EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
WORD = re.compile(r"\w+")
# Letters joined by hyphens or apostrophes: "Anne-Marie", "O'Brien".
NAME_PART = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
# Characters a name may be written with or without, each as one character,
# besides accents: the typographic apostrophe and hyphens, and the letters
# that carry a stroke rather than an accent ("Søren" is "Soren" too).
PLAIN = str.maketrans("’ʼ‐‑øØłŁđĐ", "''--oOlLdD")
# Fields whose value is a person, besides the owner ("Assigned to"), which
# the step builder already tells apart.
PERSON_FIELD = re.compile(
    r"caller|requester|requested (?:by|for)|reporter|"
    r"(?:opened|reported|raised|created|submitted|approved|closed|resolved|"
    r"updated|changed) by|contact|\buser\b|on behalf|watch ?list|watcher|"
    r"approver|customer|employee",
    re.IGNORECASE,
)
# What a choice holds when it names nobody.
NO_PERSON = frozenset(["ticked", "cleared", "(no value shown)"])

# Name parts that are also everyday words, often at the start of a sentence
# ("Will restart the service"), or words the SOP's own wording is made of
# ("Open", "Incident"); replacing them alone would garble every page, so
# they are hidden only as part of the whole name. Anyone in an organization
# can choose their name, so it must not be able to blank out the page.
ORDINARY_WORDS = frozenset(
    """
    agent april august bill call case chase close dawn desk faith frank grant
    hope joy june lead long mark may page ray rose service sky story summer
    team will young

    am an as at be by do go he hi if in is it me my no of oh ok on or so to
    up us we

    about after again all also and any are back been before but can could
    day did does done each first for from had has have her here him his how
    into its just last like made make more most new next not now off old
    one only other our out over own same see she some than that the their
    them then there these they this those through too two under use very
    was way were what when where which while who why with would yet you your

    active add added admin agreed approve assign assigned assignee category
    change channel chat check choose clear click closed comment confirm
    console contact copy create decision delete device done draft edit email
    error escalate field fill fix form group handle host impact incident
    investigate issue item link log login mail menu monitor monitoring
    network note notes open owner phase phone priority problem record
    recorded remove reopen request resolve resolved restart review run save
    search select send server set severity start state status step steps
    submit switch system tab task test ticket tick tool triage update
    updated urgency user users wait work
    """.split()
    # Particles of a surname ("Ludwig van Dijk") and titles ("Dr Li"),
    # never a name alone.
    + "van von der den del della mr mrs ms dr jr sr st".split()
)


def name_aliases(
    agents, assignees=(), colleagues=(), people=(), *, others=(), vocabulary=()
):
    """Return ``{name: alias}`` for each person and each part of their name.

    Agents, who recorded the runs the page shows, are "the agent" when there
    is one, else "Agent A", "Agent B"…; the people a run assigned, who need
    not be agents, are "Assignee A"…; the other people a run chose in a
    field (a caller, a requester), and ``others``, who recorded runs the page
    does not show, are "Person A"…. A first name or surname alone gets its
    person's alias, so "Called Marek" hides "Marek Novak" too; one that two
    people share becomes "a colleague". Any other of ``colleagues`` (people
    a note may name without the run naming them) is "a colleague" too, whole
    or by a name part. Names that differ only in letter case or accents are
    one name.

    A name part that is a word of ``vocabulary``, the SOP's own wording (see
    ``sop_words``), is hidden only within its whole name: anyone in an
    organization picks their own name, and one called "Enter Helpdesk" must
    not rewrite every "Enter" the SOP says, nor the system it names.
    """
    vocabulary = frozenset(map(_word_key, vocabulary))
    agents = _distinct(agents)
    assignees = _distinct(assignees, besides=agents)
    people = _distinct([*people, *others], besides=agents + assignees)
    if len(agents) == 1:
        aliases = {agents[0]: ONE_AGENT}
    else:
        aliases = _lettered(agents, "Agent")
    aliases |= _lettered(assignees, "Assignee") | _lettered(people, "Person")
    return _merged(
        _colleague_aliases(colleagues, vocabulary),
        _part_aliases(aliases, vocabulary),
        aliases,
    )


def _lettered(names, kind):
    return {name: f"{kind} {_letters(index)}" for index, name in enumerate(names)}


def _merged(*mappings):
    """Return ``mappings`` as one, a later name winning over one of other case."""
    merged = {}
    for mapping in mappings:
        for name, alias in mapping.items():
            merged[_word_key(name)] = (name, alias)
    return dict(merged.values())


def _colleague_aliases(names, vocabulary):
    """Return ``{name: "a colleague"}`` for each name and each name part.

    A one-word name is taken only as a name part is, so that a member called
    "Service" leaves the word alone, and a name part alone is hidden only
    where it is written with a capital ("Marek", "MAREK", not "marek"): a
    member picks their own name, and must not blank out a word of the page.
    """
    aliases = {}
    for name in _distinct(names):
        words = name.split()
        whole = [" ".join(words)] if len(words) > 1 else []
        for found in whole + _name_parts(words, vocabulary):
            aliases[found] = COLLEAGUE
    return aliases


def _distinct(names, besides=()):
    """Return ``names`` stripped, without blanks, repeats or any of ``besides``."""
    seen = {_word_key(name) for name in besides}
    distinct = {}
    for name in (name.strip() for name in names):
        if name and _word_key(name) not in seen:
            distinct.setdefault(_word_key(name), name)
    return list(distinct.values())


def _part_aliases(aliases, vocabulary):
    parts = {}
    for name, alias in aliases.items():
        for part in _name_parts(name.split(), vocabulary):
            folded = _word_key(part)
            known = parts.get(folded, (part, alias))[1]
            parts[folded] = (part, alias if known == alias else COLLEAGUE)
    return dict(parts.values())


def _name_parts(words, vocabulary):
    """Return the parts of a name of ``words`` that are hidden alone.

    Each of a hyphenated part's own parts is one too: "Jean-Luc" is
    "Jean-Luc", "Jean" and "Luc".
    """
    parts = []
    for word in words:
        pieces = word.split("-")
        parts += [word, *pieces] if len(pieces) > 1 else [word]
    return [part for part in parts if _is_name_part(part, vocabulary)]


def _is_name_part(part, vocabulary):
    """Return whether ``part`` of a name reads as a name alone.

    Two letters ("Li", "Ng") are a name only written with a capital then
    a small letter, and match only as written (see ``_name_pattern``).
    """
    if not NAME_PART.fullmatch(part.translate(PLAIN)) or _ordinary(part):
        return False
    if _word_key(part) in vocabulary:
        return False
    return len(part) >= 3 or (len(part) == 2 and part.istitle())


def _ordinary(name):
    """Return whether every word of ``name`` is also an everyday word."""
    return all(word.casefold() in ORDINARY_WORDS for word in name.split())


def _letters(index):
    """Return A for 0, Z for 25, AA for 26, as spreadsheet columns are named."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def without_names(value, aliases):
    """Return ``value`` with each whole name in ``aliases`` replaced by its alias.

    A name matches in any letter case ("dana", "WRIGHT") and with or without
    its accents ("Carreno" for "Carreño", "Zoë" for "Zoe"), but one made
    only of everyday words ("Will", "Will Grant"), or of two letters ("Li"),
    matches only as written, so that "we will grant access" stays. Email
    addresses are withheld as well.
    Longer names go first, so "Dana Wright" is replaced whole before "Dana".
    With ``aliases`` None, names are shown and ``value`` comes back as it is.
    """
    if aliases is None:
        return value
    by_word = defaultdict(list)
    for name in aliases:
        first = WORD.search(name)
        by_word[_word_key(first[0]) if first else ""].append(name)
    return _replaced(value, lambda text: _text_without_names(text, by_word, aliases))


def _text_without_names(text, by_word, aliases):
    """Return ``text`` with its names replaced.

    One pattern of every name is slow on a large organization's members
    (seconds a page, for a thousand), so it holds only the names whose first
    word is one of the text's words; a name of no word at all is always in.
    """
    words = {_word_key(word) for word in WORD.findall(text)} | {""}
    found = [name for word in words for name in by_word.get(word, ())]
    longest_first = tuple(sorted(found, key=lambda name: (-len(name), name)))
    # Told by the group that matched, not by the text found: a match in any
    # case need not fold back to the name ("ilkay" matches "İlkay", whose
    # case fold is "i̇lkay").
    replacements = [EMAIL_WITHHELD, *(aliases[name] for name in longest_first)]
    capital_only = [False] + [_capital_only(name, aliases) for name in longest_first]

    # Matched in the text without its accents, replaced in the text itself.
    plain, starts = _plain(text)
    pieces, done = [], 0
    for match in _pattern(longest_first).finditer(plain):
        start, end = starts[match.start()], starts[match.end()]
        index = match.lastindex - 1
        if capital_only[index] and not text[start].isupper():
            continue
        pieces += [text[done:start], replacements[index]]
        done = end
    return "".join([*pieces, text[done:]])


def _plain(text):
    """Return ``text`` without accents, and where each character of it was.

    One character stands for one, so that a match in the plain text is one
    in ``text``: a letter loses its accents ("ë" is "e"), a lone combining
    accent goes (the end of a match takes it in), and a character that
    comes apart into several (a Hangul syllable) stays as it is.
    """
    if text.isascii():
        return text, range(len(text) + 1)
    chars, starts = [], []
    for index, char in enumerate(text):
        plain = _plain_char(char)
        if plain:
            chars.append(plain)
            starts.append(index)
    return "".join(chars), [*starts, len(text)]


@functools.lru_cache(maxsize=4096)
def _plain_char(char):
    decomposed = unicodedata.normalize("NFD", char.translate(PLAIN))
    kept = "".join(part for part in decomposed if not unicodedata.combining(part))
    return kept if len(kept) <= 1 else char


def _capital_only(name, aliases):
    """Return whether ``name`` is hidden only where written with a capital.

    A colleague's name part alone: see ``_colleague_aliases``.
    """
    return aliases[name] == COLLEAGUE and " " not in name


def _word_key(word):
    """Return ``word`` folded alike in every case a pattern matches it in.

    Accents and dots go too, as "İ".casefold() keeps a combining dot, and
    the dotless "ı" matches "I" and "i" in a pattern that ignores case.
    """
    folded = word.translate(PLAIN).casefold().replace("ı", "i")
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@functools.lru_cache(maxsize=256)
def _pattern(names):
    return re.compile("|".join([f"({EMAIL})", *map(_name_pattern, names)]))


def _name_pattern(name):
    """Return the pattern of ``name`` in a text without accents."""
    plain = _plain(name)[0]
    as_written = _ordinary(plain) or len(plain) < 3
    flags = "" if as_written else "i"
    return rf"((?<!\w)(?{flags}:{re.escape(plain)})(?!\w))"


def _replaced(value, replace):
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, list | tuple):
        return [_replaced(item, replace) for item in value]
    if isinstance(value, dict):
        return {key: _replaced(item, replace) for key, item in value.items()}
    return value


def sop_words(steps):
    """Return the words the SOP of ``steps`` says of its own accord.

    That is the verb the step builder opens each step with ("Enter",
    "Open"), the names of the systems the steps ran in, and the phases'
    names: what every shared page of it reads, whoever recorded it. A note
    is the agent's words, and an edited step the editor's, so neither adds
    its first word.
    """
    words = {*PHASE_TITLES.values()}
    for step in steps:
        words.update(WORD.findall(step.get("system", "")))
        if step.get("kind") != "note" and not step.get("edited"):
            words.update(WORD.findall(step.get("text", ""))[:1])
    return words


def owner_names(steps):
    """Return the people that stored steps made the owner, in step order."""
    return _chosen(steps, lambda decision: decision.get("topic") == "owner")


def person_names(steps):
    """Return the people stored steps chose in a field that holds a person.

    An owner is left to ``owner_names``, and a field the step builder files
    under a topic of its own ("Contact type" is a category) holds no person.
    """
    return _chosen(
        steps,
        lambda decision: (
            decision.get("topic", "other") == "other"
            and PERSON_FIELD.search(decision.get("field", ""))
        ),
    )


def _chosen(steps, wanted):
    decisions = [step.get("decision") or {} for step in steps]
    return [
        decision["value"]
        for decision in decisions
        if decision and wanted(decision) and decision["value"] not in NO_PERSON
    ]
