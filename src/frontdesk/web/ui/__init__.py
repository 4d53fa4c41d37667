"""The web UI: server-rendered pages with small script modules, served by Frontdesk itself.

Pages are Jinja templates (``web/templates``) filled from the services; what changes
data calls the REST API from ``web/static/js`` with the session's CSRF token, and what
moves (the agent desktop, the wallboard) follows the realtime streams. Nothing is loaded
from elsewhere: no CDN, no build step. See ``docs/ui.md``.
"""
