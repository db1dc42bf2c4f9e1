"""Carry a secret from the post that makes it to the page that shows it once.

A form that creates something with a secret (a share link's token, an API
token) redirects rather than answering with the secret: the secret waits in
the session, under the new object's id, until that object's page takes it
out. A refresh there neither posts the form again nor shows the secret a
second time, and no other browser ever sees it.
"""


class ShownOnce:
    """The secrets of one kind of object, kept in the session by object id."""

    def __init__(self, session_key):
        self.session_key = session_key

    def keep(self, request, object_id, secret):
        kept = request.session.get(self.session_key, {})
        request.session[self.session_key] = {**kept, str(object_id): secret}

    def take(self, request, object_id):
        """Return the secret kept for ``object_id`` and forget it, or None."""
        kept = request.session.get(self.session_key, {})
        secret = kept.pop(str(object_id), None)
        if secret is not None:
            request.session[self.session_key] = kept
        return secret
