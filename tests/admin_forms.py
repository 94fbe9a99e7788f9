"""Posting Django admin forms from tests, as a browser would post them."""


def _add_form(data, form):
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        if value is True:
            data[field.html_name] = "on"
        elif isinstance(value, (list, tuple)):
            data[field.html_name] = [str(item) for item in value]
        else:
            data[field.html_name] = str(value)


def admin_form_data(response, **changes):
    """What the change page in `response` posts when saved as it stands, with `changes` applied."""
    data = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    data.update(changes)
    return data


def inline_prefix(response, verbose_name_plural):
    """The form prefix of the inline whose heading is `verbose_name_plural`."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.opts.verbose_name_plural == verbose_name_plural:
            return inline.formset.prefix
    raise LookupError(verbose_name_plural)


def saved_meanwhile(first, second, url, theirs, mine):
    """Two curators open the change page at `url`; `first` saves `theirs`, then `second`, still on the page
    as it was opened, saves `mine`. Returns the answer to the second save."""
    their_page, my_page = first.get(url), second.get(url)
    response = first.post(url, admin_form_data(their_page, **theirs))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    return second.post(url, admin_form_data(my_page, **mine))
