from django import forms


class DateInput(forms.DateInput):
    """An HTML date picker: its value must be ISO, whatever the language's display format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
