def template_for(request, template_name, partial_name):
    """The partial for htmx swaps; the whole page otherwise, including htmx history restores."""
    if request.htmx and not request.htmx.history_restore_request:
        return f"{template_name}#{partial_name}"
    return template_name
