"""People's names on a shared page, replaced by "the agent" or "Assignee A".

Pure: the names to hide come in (the recording agents, the people a run
made the owner, the people a run chose in a field that holds a person, and
the organization's members), and any text, list or dict of texts comes back
with every whole occurrence of one of them replaced, in any letter case, and
every email address withheld.
"""

import functools
import re
import unicodedata
from collections import defaultdict

ONE_AGENT = "the agent"
COLLEAGUE = "a colleague"
EMAIL_WITHHELD = "(email withheld)"
EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
WORD = re.compile(r"\w+")
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
    # Particles of a surname ("Ludwig van Dijk"), never a name alone.
    + "van von der den del della".split()
)


def name_aliases(agents, assignees=(), colleagues=(), people=(), *, others=()):
    """Return ``{name: alias}`` for each person and each part of their name.

    Agents, who recorded the runs the page shows, are "the agent" when there
    is one, else "Agent A", "Agent B"…; the people a run assigned, who need
    not be agents, are "Assignee A"…; the other people a run chose in a
    field (a caller, a requester), and ``others``, who recorded runs the page
    does not show, are "Person A"…. A first name or surname alone gets its
    person's alias, so "Called Marek" hides "Marek Novak" too; one that two
    people share becomes "a colleague". Any other of ``colleagues`` (people
    a note may name without the run naming them) is "a colleague" too, whole
    or by a name part. Names that differ only in letter case are one name.
    """
    agents = _distinct(agents)
    assignees = _distinct(assignees, besides=agents)
    people = _distinct([*people, *others], besides=agents + assignees)
    if len(agents) == 1:
        aliases = {agents[0]: ONE_AGENT}
    else:
        aliases = _lettered(agents, "Agent")
    aliases |= _lettered(assignees, "Assignee") | _lettered(people, "Person")
    return _merged(_colleague_aliases(colleagues), _part_aliases(aliases), aliases)


def _lettered(names, kind):
    return {name: f"{kind} {_letters(index)}" for index, name in enumerate(names)}


def _merged(*mappings):
    """Return ``mappings`` as one, a later name winning over one of other case."""
    merged = {}
    for mapping in mappings:
        for name, alias in mapping.items():
            merged[name.casefold()] = (name, alias)
    return dict(merged.values())


def _colleague_aliases(names):
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
        for found in whole + [word for word in words if _is_name_part(word)]:
            aliases[found] = COLLEAGUE
    return aliases


def _distinct(names, besides=()):
    """Return ``names`` stripped, without blanks, repeats or any of ``besides``."""
    seen = {name.casefold() for name in besides}
    distinct = {}
    for name in (name.strip() for name in names):
        if name and name.casefold() not in seen:
            distinct.setdefault(name.casefold(), name)
    return list(distinct.values())


def _part_aliases(aliases):
    parts = {}
    for name, alias in aliases.items():
        for part in name.split():
            if _is_name_part(part):
                folded = part.casefold()
                known = parts.get(folded, (part, alias))[1]
                parts[folded] = (part, alias if known == alias else COLLEAGUE)
    return dict(parts.values())


def _is_name_part(part):
    return len(part) >= 3 and part.isalpha() and not _ordinary(part)


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

    A name matches in any letter case ("dana", "WRIGHT"), but one made only
    of everyday words ("Will", "Will Grant") matches only as written, so
    that "we will grant access" stays. Email addresses are withheld as well.
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
    pattern = _pattern(longest_first)
    # Told by the group that matched, not by the text found: a match in any
    # case need not fold back to the name ("ilkay" matches "İlkay", whose
    # case fold is "i̇lkay").
    replacements = [EMAIL_WITHHELD, *(aliases[name] for name in longest_first)]
    capital_only = [False] + [_capital_only(name, aliases) for name in longest_first]

    def replace(match):
        index = match.lastindex - 1
        if capital_only[index] and not match[0][0].isupper():
            return match[0]
        return replacements[index]

    return pattern.sub(replace, text)


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
    decomposed = unicodedata.normalize("NFKD", word.casefold().replace("ı", "i"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@functools.lru_cache(maxsize=256)
def _pattern(names):
    return re.compile("|".join([f"({EMAIL})", *map(_name_pattern, names)]))


def _name_pattern(name):
    flags = "" if _ordinary(name) else "i"
    return rf"((?<!\w)(?{flags}:{re.escape(name)})(?!\w))"


def _replaced(value, replace):
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, list | tuple):
        return [_replaced(item, replace) for item in value]
    if isinstance(value, dict):
        return {key: _replaced(item, replace) for key, item in value.items()}
    return value


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
