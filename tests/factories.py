import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import Role, ThematicArea, User
from parties.models import State

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    role = Role.FOCAL_POINT
    state = factory.LazyFunction(lambda: State.objects.get(iso3="LAO"))
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def make_user(
    role: str, *, iso3: str | None = None, areas: list[str] | None = None, organization: str = "", **kw
) -> User:
    state = State.objects.get(iso3=iso3) if iso3 else None
    user = UserFactory(
        role=role,
        state=state,
        organization=organization,
        is_staff=role == Role.ISU_STAFF,
        **kw,
    )
    if areas:
        user.thematic_areas.set(ThematicArea.objects.filter(code__in=areas))
    return user


def enrol_totp(user: User) -> str:
    """Give ``user`` an authenticator app; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret
