"""Carry a secret from the post that makes it to the page that shows it once.

A form that creates something with a secret (a share link's token, an API
token) redirects rather than answering with the secret: the secret waits in
the session, under the new object's id, until that object's page takes it
out. A refresh there neither posts the form again nor shows the secret a
second time, and no other browser ever sees it. A secret whose page is
never opened is dropped after ``keep_for`` seconds, so it does not outlive
its moment in the session store.
"""

import time

KEEP_FOR_SECONDS = 600


class ShownOnce:
    """The secrets of one kind of object, kept in the session by object id."""

    def __init__(self, session_key, *, keep_for=KEEP_FOR_SECONDS):
        self.session_key = session_key
        self.keep_for = keep_for

    def keep(self, request, object_id, secret):
        kept = self._unexpired(request)
        kept[str(object_id)] = [secret, time.time() + self.keep_for]
        request.session[self.session_key] = kept

    def take(self, request, object_id):
        """Return the secret kept for ``object_id`` and forget it, or None."""
        kept = self._unexpired(request)
        secret, _expires = kept.pop(str(object_id), (None, None))
        if kept != request.session.get(self.session_key, {}):
            request.session[self.session_key] = kept
        return secret

    def _unexpired(self, request):
        now = time.time()
        return {
            object_id: entry
            for object_id, entry in request.session.get(self.session_key, {}).items()
            if isinstance(entry, list) and len(entry) == 2 and entry[1] > now
        }
