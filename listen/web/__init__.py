"""Web: the HTTP face of the service.

In: requests for an article ID or a content address. Out: audio, player pages, the
podcast feed, the publish API, the editor's console and the ops endpoints. :mod:`.app` is
the app factory; :mod:`.api` the article routes and player pages, :mod:`.feed` the podcast
feed, :mod:`.publish` the CMS push API, :mod:`.events` the player's listening reports,
:mod:`.admin` the editor's console at /admin (signing in: :mod:`.admin_auth`; the
geometry of its charts: :mod:`.chart`), :mod:`.ops` health, readiness and metrics,
:mod:`.fastpath` finished audio served before Flask, :mod:`.hosts` the public URL,
:mod:`.server` the gunicorn worker whose own errors are JSON, :mod:`.gunicorn_conf`
gunicorn's configuration (``listen serve`` and the Docker image alike). Templates and
static files live beside them.
"""
