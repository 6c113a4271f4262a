"""Sign-in and account forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from servicedesk.forms import BaseForm
from servicedesk.validators import validate_mobile_field


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in"))
    submit = SubmitField(_l("Sign in"))


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", _l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class AccountForm(BaseForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    mobile = StringField(
        _l("Mobile number"), validators=[Optional(), Length(max=20), validate_mobile_field]
    )
    locale = SelectField(
        _l("Language"),
        choices=[("", _l("As my browser says")), ("zh_CN", "简体中文"), ("en", "English")],
    )
    submit = SubmitField(_l("Save"))
