"""Start the test OpenID Connect provider on 127.0.0.1.

    python -m tests.oidc_provider --port 8765

Environment:
  OIDC_CLIENT_ID, OIDC_CLIENT_SECRET   the confidential client (authorization code, RS256)
  OIDC_REDIRECT_URI                    its redirect URI(s), space separated
  OIDC_USER_EMAIL, OIDC_USER_PASSWORD  optional: a user created at start
  OIDC_USER_GROUPS                     optional: that user's Cognito groups, comma separated
  OIDC_PROVIDER_CONTROL_TOKEN          optional: enables POST /_test/users/ (see views.py)

The database lives in a temporary directory removed on exit (SIGTERM or Ctrl-C).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from pathlib import Path


def _exit_on_sigterm(signum: int, frame: object) -> None:
    sys.exit(0)


def setup(port: int, data_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    os.environ["OIDC_PROVIDER_PORT"] = str(port)
    os.environ["OIDC_PROVIDER_DB"] = str(data_dir / "provider.sqlite3")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)

    from oauth2_provider.models import Application

    from tests.oidc_provider.views import upsert_user

    Application.objects.update_or_create(
        client_id=os.environ["OIDC_CLIENT_ID"],
        defaults={
            "name": "NexioQ (test)",
            "client_secret": os.environ["OIDC_CLIENT_SECRET"],
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": os.environ["OIDC_REDIRECT_URI"],
            "skip_authorization": True,
            "algorithm": Application.RS256_ALGORITHM,
        },
    )
    if os.environ.get("OIDC_USER_EMAIL"):
        groups = [g.strip() for g in os.environ.get("OIDC_USER_GROUPS", "").split(",") if g.strip()]
        upsert_user(os.environ["OIDC_USER_EMAIL"], os.environ["OIDC_USER_PASSWORD"], groups)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with tempfile.TemporaryDirectory(prefix="oidc-provider-") as data_dir:
        setup(args.port, Path(data_dir))
        from django.core.management import call_command

        call_command(
            "runserver",
            f"127.0.0.1:{args.port}",
            use_reloader=False,
            use_threading=True,
            skip_checks=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
