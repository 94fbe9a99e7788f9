from functools import partial

from nsx.cache import page_address


def sign_in_return(request):
    """Where signing in leads back to: this page's address as the page cache keys it, so the copy it keeps
    for `?tab=%61i` is the copy for `?tab=ai` too. Worked out only by a page that shows the link, not by
    every fragment and admin page rendered."""
    return {"sign_in_next": partial(page_address, request)}
