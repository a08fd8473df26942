from __future__ import annotations

from functools import partial

import strawberry

from market.api.graphql import ids
from market.api.graphql.context import Info
from market.api.graphql.identity.inputs import (
    CreateOrganisationInput,
    InviteMemberInput,
    RegisterInput,
)
from market.api.graphql.identity.types import (
    IssuedInvitation,
    LoginPayload,
    Membership,
    Organisation,
    User,
)
from market.catalog import service as catalog
from market.enrollment import service as enrollment
from market.identity import service
from market.identity.models import OrganisationKind
from market.identity.throttling import ClientAction, RequestLimit


async def admit(info: Info, action: ClientAction) -> None:
    """Count the request against its client's limit, in a transaction of its own: it stays
    counted whatever becomes of the request."""
    async with info.context.transaction() as session:
        await service.admit(
            session,
            client=info.context.client_address,
            limit=RequestLimit.of(info.context.settings, action),
        )


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(
        description=(
            "Create a learner account (no memberships). Then `login`. Whether the email "
            "already has an account is not revealed: the answer is the same either way, a "
            "user built from the input, but for an existing email that user (and its id) "
            "is not stored, signing in with this password fails, and the account's owner "
            "is told by mail that someone tried to register with it. Passwords on a list "
            "of common ones are refused (BAD_USER_INPUT, reason PasswordTooCommon). "
            "Limited per client address (FORBIDDEN, reason TooManyRequests, "
            "params.retryAfterSeconds says how long to wait)."
        )
    )
    async def register(self, info: Info, input: RegisterInput) -> User:
        await admit(info, ClientAction.REGISTER)
        async with info.context.transaction() as session:
            profile = await service.register(
                session,
                email=input.email,
                password=input.password,
                display_name=input.display_name,
                preferred_language=input.preferred_language,
            )
        return User.of(profile)

    @strawberry.mutation(
        description=(
            "Sign in. Wrong email and wrong password fail alike (UNAUTHENTICATED, reason "
            "LoginFailed). After repeated failures for one email from one client address, "
            "or for any emails from one address, or too many attempts from one address, "
            "that address must wait, longer with every further failure (FORBIDDEN, reason "
            "TooManyLoginAttempts, params.retryAfterSeconds says how long). Failures "
            "elsewhere never "
            "hold back a sign-in from another address."
        )
    )
    async def login(self, info: Info, email: str, password: str) -> LoginPayload:
        await admit(info, ClientAction.LOGIN)
        async with info.context.transaction() as session:
            attempt = await service.login(
                session,
                email=email,
                password=password,
                client=info.context.client_address,
                policy=service.SignInPolicy.of(info.context.settings),
            )
        # Committed first: a failed attempt is remembered even though this request fails.
        signed_in = attempt.unwrap()
        assert signed_in is not None
        return LoginPayload.of(signed_in)

    @strawberry.mutation(
        description="End the session of the presented bearer token; false if there was none."
    )
    async def logout(self, info: Info) -> bool:
        async with info.context.transaction() as session:
            return await service.logout(session, info.context.bearer_token)

    @strawberry.mutation(
        description=(
            "Create an organisation (platform administrators only). A provider organisation "
            "gets its (empty, uncertified) catalog profile at once: see `providerId`."
        )
    )
    async def create_organisation(self, info: Info, input: CreateOrganisationInput) -> Organisation:
        async with info.context.transaction() as session:
            organisation = await service.create_organisation(
                session,
                info.context.actor,
                kind=input.kind,
                name=input.name,
                kvk_number=input.kvk_number,
                municipality_code=input.municipality_code,
            )
            if organisation.kind is OrganisationKind.PROVIDER:
                await catalog.create_provider_profile(session, info.context.actor, organisation.id)
        return Organisation.of(organisation)

    @strawberry.mutation(
        description=(
            "Invite someone into an organisation: by its manager (provider OWNER, "
            "municipality PROCUREMENT_OFFICER, platform ADMIN) or any platform administrator."
        )
    )
    async def invite_member(self, info: Info, input: InviteMemberInput) -> IssuedInvitation:
        organisation_id = ids.decode("Organisation", input.organisation_id, field="organisationId")
        async with info.context.transaction() as session:
            issued = await service.invite_member(
                session,
                info.context.actor,
                organisation_id=organisation_id,
                email=input.email,
                role=input.role,
            )
        return IssuedInvitation.of(issued)

    @strawberry.mutation(
        description=(
            "Join the organisation of an invitation sent to the signed-in email address. "
            "Limited per client address (FORBIDDEN, reason TooManyRequests)."
        )
    )
    async def accept_invitation(self, info: Info, token: str) -> Membership:
        await admit(info, ClientAction.ACCEPT_INVITATION)
        async with info.context.transaction() as session:
            membership = await service.accept_invitation(session, info.context.actor, token)
        return Membership.of(membership)

    @strawberry.mutation(
        description=(
            "Delete the signed-in account after re-checking the password. Refused (CONFLICT) "
            "for the last manager of an organisation. Records the law requires (payments) "
            "are kept without the personal details."
        )
    )
    async def delete_my_account(self, info: Info, password: str) -> bool:
        async with info.context.transaction() as session:
            attempt = await service.delete_my_account(
                session,
                info.context.actor,
                password=password,
                client=info.context.client_address,
                policy=service.SignInPolicy.of(info.context.settings),
                before_delete=partial(
                    enrollment.withdraw_learner, rules=info.context.booking_rules
                ),
            )
        # Committed first: a wrong password counts towards the sign-in throttle.
        attempt.unwrap()
        return True
