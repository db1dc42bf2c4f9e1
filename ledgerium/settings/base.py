"""Settings shared by every environment.

Everything here comes from the environment (``DJANGO_``-prefixed where Django
owns the name). With nothing set the project runs on its embedded default:
SQLite under ``var/``, Celery tasks run in-process and mail printed to the
console.
"""

import contextlib
import ipaddress
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
SECRET_KEY = env("DJANGO_SECRET_KEY", default="embedded-default-not-for-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("LEDGERIUM_SITE_URL", default="http://127.0.0.1:8000")

ROOT_URLCONF = "ledgerium.urls"
WSGI_APPLICATION = "ledgerium.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    # Third party
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    # Ours
    "apps.core",
    "apps.accounts",
    "apps.recordings",
    "apps.workflows",
    "apps.reports",
    "apps.sharing",
    "apps.web",
]

MIDDLEWARE = [
    "apps.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "apps.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.core.middleware.PrivatePageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.core.middleware.OrganizationMiddleware",
    "apps.core.middleware.ApplicationErrorMiddleware",
    "apps.core.middleware.MethodNotAllowedMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.organization",
            ],
        },
    },
]

# ------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------
EMBEDDED_DATABASE = "DATABASE_URL" not in env
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ledgerium.sqlite3'}"
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if not EMBEDDED_DATABASE:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction begins: SQLite cannot upgrade a
    # read lock while another writer holds one and fails "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    # Wait for the other writer as long as an incident import waits for
    # another on PostgreSQL, not the driver's 5 seconds: an import of a few
    # thousand incidents holds the write lock longer than that.
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)

# ------------------------------------------------------------------------------
# Auth and accounts (https://docs.allauth.org/en/latest/account/configuration.html)
# ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "apps.accounts.forms.SignupForm"
ACCOUNT_FORMS = {
    "login": "apps.accounts.allauth_forms.LoginForm",
    "signup": "apps.accounts.allauth_forms.SignupForm",
    "reset_password": "apps.accounts.allauth_forms.ResetPasswordForm",
    "reset_password_from_key": "apps.accounts.allauth_forms.ResetPasswordKeyForm",
}
ACCOUNT_ADAPTER = "apps.accounts.adapter.AccountAdapter"
# Five wrong passwords lock one address. The per-IP limit is far looser: a
# whole office behind one NAT or proxy shares an IP, and a few typos there
# must not lock everyone out; it still stops one IP guessing across many
# addresses.
ACCOUNT_RATE_LIMITS = {"login_failed": "50/5m/ip,5/5m/key"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Ledgerium] "

# ------------------------------------------------------------------------------
# Email
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
if "EMAIL_URL" in env:
    vars().update(env.email("EMAIL_URL"))
# Mail comes from the site's own host unless told otherwise; an address
# host such as 127.0.0.1 makes no mail domain, so local runs use localhost.
_MAIL_HOST = urlsplit(SITE_URL).hostname or "localhost"
with contextlib.suppress(ValueError):
    ipaddress.ip_address(_MAIL_HOST)
    _MAIL_HOST = "localhost"
DEFAULT_FROM_EMAIL = env(
    "DJANGO_DEFAULT_FROM_EMAIL", default=f"Ledgerium <noreply@{_MAIL_HOST}>"
)
# Error reports to the site's admins come from here.
SERVER_EMAIL = env("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# The Upgrade page asks owners to write here: sales@ the mail domain by default.
# No one reads mail at localhost, so there the page names no address and asks
# the reader to turn to their Ledgerium contact instead.
_SALES_DOMAIN = parseaddr(DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or _MAIL_HOST
LEDGERIUM_SALES_EMAIL = env(
    "LEDGERIUM_SALES_EMAIL",
    default="" if _SALES_DOMAIN == "localhost" else f"sales@{_SALES_DOMAIN}",
)

# ------------------------------------------------------------------------------
# Internationalisation
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# One date format and one date-time format on every page: {{ value }} and
# |date:"DATE_FORMAT" read them from here, ahead of the locale's own.
# https://docs.djangoproject.com/en/5.2/topics/i18n/formatting/#creating-custom-format-files
FORMAT_MODULE_PATH = ["ledgerium.formats"]

# ------------------------------------------------------------------------------
# Static files
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = True
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env.path("LEDGERIUM_MEDIA_ROOT", default=VAR_DIR / "media")

# ------------------------------------------------------------------------------
# Cache: Redis when configured, process memory otherwise
# ------------------------------------------------------------------------------
if "REDIS_URL" in env:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ------------------------------------------------------------------------------
# Celery (https://docs.celeryq.dev/en/stable/userguide/configuration.html)
# ------------------------------------------------------------------------------
EMBEDDED_BROKER = "CELERY_BROKER_URL" not in env
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://localhost//")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = EMBEDDED_BROKER
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="ledgerium")
# A task a killed worker held is redelivered after this many seconds; it must
# stay above the longest build (about 105 s for 10,000 events).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("LEDGERIUM_TASK_VISIBILITY_TIMEOUT", default=900)
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery beat (the compose file's beat service) stores every few minutes the
# uploaded batches a crash left unstored, as `manage.py replay_raw_batches`,
# and fails the workflow builds whose worker stopped mid-build.
CELERY_BEAT_SCHEDULE = {
    "replay-raw-batches": {
        "task": "apps.recordings.tasks.raw_batches_replay_task",
        "schedule": env.int("LEDGERIUM_REPLAY_INTERVAL", default=300),
    },
    "fail-stalled-builds": {
        "task": "apps.workflows.tasks.run_builds_stalled_task",
        "schedule": 300,
    },
}
# Run enqueued tasks on a background thread of this process instead of
# sending them to the broker (apps/core/jobs.py); local settings turn it on
# for the embedded default.
LEDGERIUM_TASKS_IN_THREAD = False
# Let `manage.py demo_setup` make a staff login whose password the demo prints
# for anyone to read. Only local settings on the embedded database, which holds
# nothing but the demo, turn it on.
LEDGERIUM_DEMO_STAFF = False

# ------------------------------------------------------------------------------
# Django REST Framework (https://www.django-rest-framework.org/api-guide/settings/)
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's form parsers stay; its JSON parser lets a deeply nested body
    # through as a 500.
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ledgerium API",
    "DESCRIPTION": "Record incidents in the browser; get SOPs, maps and reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page loads its scripts from our static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.recordings.openapi.add_format_components",
    ],
}
# Requests per API token to the recordings API (DRF rate syntax).
LEDGERIUM_API_RATE = env("LEDGERIUM_API_RATE", default="600/min")
# Generate a workflow as soon as its recording is finished.
WORKFLOWS_GENERATE_ON_FINISH = env.bool("LEDGERIUM_GENERATE_ON_FINISH", default=True)
# The Celery queue for workflow builds; empty means the default queue.
WORKFLOWS_QUEUE = env("LEDGERIUM_WORKFLOWS_QUEUE", default="")

# ------------------------------------------------------------------------------
# Security
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "apps.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# How many proxies of ours stand in front of the app, each appending to
# X-Forwarded-For. The client's address, for login rate limits and the
# share-link password lockout, is read that many hops from the end
# (apps/core/http.py). With 0 the header is ignored: anyone can forge it.
LEDGERIUM_TRUSTED_PROXIES = env.int("LEDGERIUM_TRUSTED_PROXIES", default=0)
REST_FRAMEWORK["NUM_PROXIES"] = LEDGERIUM_TRUSTED_PROXIES

# ------------------------------------------------------------------------------
# Ledgerium
# ------------------------------------------------------------------------------
MERMAID_INK_SERVER = env("MERMAID_INK_SERVER", default="")
MERMAID_CLI = env(
    "LEDGERIUM_MERMAID_CLI", default=str(BASE_DIR / "node_modules/.bin/mmdc")
)
CHROMIUM_PATH = env("LEDGERIUM_CHROMIUM", default="/usr/bin/chromium")

# ------------------------------------------------------------------------------
# Logging: one logger per module, every line carries the request id
# ------------------------------------------------------------------------------
LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "apps.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}
