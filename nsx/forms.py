from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form. A refused sign-in is an error of the form, not of a field: the box saying
    why (templates/registration/login.html, id form-errors) takes focus in place of the username, and
    both fields are marked invalid and point to it."""

    def full_clean(self):
        super().full_clean()
        if self.non_field_errors():
            for field in self.fields.values():
                field.widget.attrs.pop("autofocus", None)
                field.widget.attrs.update({"aria-invalid": "true", "aria-describedby": "form-errors"})
