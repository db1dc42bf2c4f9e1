import hashlib
import secrets
import zoneinfo
from datetime import timedelta

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import OrganizationScopedModel

TIMEZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    def __str__(self):
        return self.email


class Plan(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    monthly_workflow_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    features = models.JSONField(default=list, blank=True)
    incident_history = models.BooleanField(
        _("incident-history import"),
        default=False,
        help_text=_("Whether organizations on the plan may import incident history."),
    )
    price_per_month = models.PositiveIntegerField(default=0, help_text=_("In USD."))
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["price_per_month", "name"]

    def __str__(self):
        return self.name


class Organization(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="organizations"
    )
    workflow_limit_override = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Set by staff; replaces the plan's monthly workflow limit."),
    )
    timezone = models.CharField(max_length=64, default="UTC", choices=TIMEZONE_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def monthly_workflow_limit(self):
        if self.workflow_limit_override is not None:
            return self.workflow_limit_override
        return self.plan.monthly_workflow_limit

    @property
    def zoneinfo(self):
        return zoneinfo.ZoneInfo(self.timezone)


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer")


MANAGING_ROLES = {Role.OWNER, Role.ADMIN}
EDITING_ROLES = {Role.OWNER, Role.ADMIN, Role.MEMBER}


class Membership(OrganizationScopedModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="membership_unique_user"
            )
        ]
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.user} in {self.organization} ({self.role})"

    @property
    def can_edit(self):
        return self.role in EDITING_ROLES

    @property
    def can_manage(self):
        return self.role in MANAGING_ROLES

    @property
    def assignable_roles(self):
        """Return the role choices this member may give: only an owner makes owners."""
        if not self.can_manage:
            return []
        return [
            (value, label)
            for value, label in Role.choices
            if value != Role.OWNER or self.role == Role.OWNER
        ]


INVITATION_LIFETIME = timedelta(days=7)


def _invitation_expiry():
    return timezone.now() + INVITATION_LIFETIME


class Invitation(OrganizationScopedModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Expiry is left out: a constraint cannot read the clock. A new
            # invitation to the address revokes the open one, expired or not.
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=models.Q(accepted_at=None, revoked_at=None),
                name="invitation_unique_open_email",
            )
        ]
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} to {self.organization}"

    @property
    def is_pending(self):
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class InvitationLink(OrganizationScopedModel):
    """One link mailed for an invitation; only its hash is kept.

    Inviting an address again mails a new link to the same invitation, so
    that the link in an earlier email keeps working: every link of a pending
    invitation works, and accepting or revoking it ends them all.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+"
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Link to {self.invitation}"


class ApiToken(OrganizationScopedModel):
    """A personal API token scoped to one organization; only its hash is kept."""

    PREFIX = "ldg_"
    NAME_MAX_LENGTH = 100

    class Source(models.TextChoices):
        CREATED = "created", _("Created here")
        CONNECT = "connect", _("Connect the extension")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_tokens"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(
        max_length=12, help_text=_("The first characters, to tell tokens apart.")
    )
    source = models.CharField(
        max_length=16,
        choices=Source.choices,
        default=Source.CREATED,
        help_text=_("Made on the API tokens page, or by connecting the extension."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"
        verbose_name_plural = "API tokens"

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self):
        return self.revoked_at is None

    @staticmethod
    def generate():
        return ApiToken.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def hash(raw):
        return hashlib.sha256(raw.encode()).hexdigest()


class MonthlyUsage(OrganizationScopedModel):
    """How many workflows an organization created in one calendar month."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="usage"
    )
    month = models.DateField(
        help_text=_("The first day of the month, in the organization's timezone.")
    )
    workflows_created = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month"], name="usage_unique_month"
            )
        ]
        ordering = ["-month"]
        verbose_name_plural = "monthly usage"

    def __str__(self):
        return f"{self.organization} {self.month:%Y-%m}: {self.workflows_created}"
