from allauth.account.adapter import DefaultAccountAdapter


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """No open sign-up: accounts are created only by accepting an ISU invitation."""

    def is_open_for_signup(self, request) -> bool:
        return False
