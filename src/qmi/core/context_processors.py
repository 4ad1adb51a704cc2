from qmi.core.csrf import PLACEHOLDER


def csrf_placeholder(request):
    """A page bound for the public cache carries a placeholder, not the visitor's token.

    Listed after Django's built-in csrf processor, so it replaces `csrf_token` for
    those pages only; core.public_cache puts each visitor's token in its place.
    """
    if getattr(request, "csrf_placeholder", False):
        return {"csrf_token": PLACEHOLDER}
    return {}
