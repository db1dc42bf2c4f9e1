"""People's names on a shared page, replaced by "the agent" or "Agent A".

Pure: the names to hide come in (the recording agents and the people a run
made the owner), and any text, list or dict of texts comes back with every
whole occurrence of one of them replaced.
"""

import re

ONE_PERSON = "the agent"


def name_aliases(names):
    """Return ``{name: alias}``: "the agent" for one person, else "Agent A"…"""
    people = list(dict.fromkeys(name.strip() for name in names if name.strip()))
    if len(people) == 1:
        return {people[0]: ONE_PERSON}
    return {name: f"Agent {_letters(index)}" for index, name in enumerate(people)}


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

    Longer names go first, so "Dana Wright" is replaced whole before "Dana".
    """
    if not aliases:
        return value
    longest_first = sorted(aliases, key=len, reverse=True)
    pattern = re.compile(
        "|".join(rf"(?<!\w){re.escape(name)}(?!\w)" for name in longest_first)
    )
    return _replaced(value, pattern, aliases)


def _replaced(value, pattern, aliases):
    if isinstance(value, str):
        return pattern.sub(lambda found: aliases[found.group(0)], value)
    if isinstance(value, list | tuple):
        return [_replaced(item, pattern, aliases) for item in value]
    if isinstance(value, dict):
        return {key: _replaced(item, pattern, aliases) for key, item in value.items()}
    return value


def owner_names(steps):
    """Return the people that stored steps made the owner, in step order."""
    return [
        step["decision"]["value"]
        for step in steps
        if (step.get("decision") or {}).get("topic") == "owner"
    ]
