"""How a person is named on a page: their name, else their address's local part."""


def display_name(user):
    """Return ``user``'s name, or the part of their email before the "@"."""
    return user.name.strip() or user.email.partition("@")[0]
