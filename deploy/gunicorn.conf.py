"""Gunicorn's settings for the clinic: `gunicorn --config deploy/gunicorn.conf.py clinic.wsgi`.

Used by systemd's clinic-web.service and, unchanged, by `make prod-check`. Caddy on the same machine is the only
client: gunicorn listens on loopback and trusts X-Forwarded-Proto from there only.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: one request each at a time. Two per CPU core is the usual start; each holds one PostgreSQL
# connection while CONN_MAX_AGE keeps it open (size max_connections for every worker of every server).
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# A worker is replaced after this many requests (a slow leak cannot grow for ever); jitter spreads restarts.
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = "127.0.0.1,::1"
# Logs go to standard error, which systemd sends to the journal (`journalctl -u clinic-web`).
accesslog = "-"
errorlog = "-"
# The proxy's X-Forwarded-For is logged too: REMOTE_ADDR is always Caddy's.
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms'
