"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`.

FANGANG_INSTANCE_PATH names the instance folder (generated secrets, the SMS outbox of the
console backend, invoices); by default it is `instance/` beside the code.
"""

from app import create_app

app = create_app()
