"""Forms as a browser sees them: every <form> of a page, with its fields and what they hold.

The fuzz test reads the forms from the rendered HTML rather than from the views' form classes,
so a field that a form gains (a reason for change, say) is fuzzed without a change here.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

SKIPPED_INPUT_TYPES = {"submit", "button", "reset", "image", "file"}


@dataclass
class Field:
    name: str
    kind: str  # an <input> type, "select", "select-multiple" or "textarea"
    value: str = ""  # what the page put there (the option selected, the box's value)
    present: bool = True  # False for an unchecked box or radio: the browser sends nothing
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)  # of a multiple select
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Form:
    method: str
    action: str
    fields: list[Field] = field(default_factory=list)

    @property
    def signature(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.method, self.action, tuple(sorted({f.name for f in self.fields})))

    def initial(self) -> dict[str, list[str]]:
        """What the browser would send unchanged."""
        data: dict[str, list[str]] = {}
        for f in self.fields:
            if f.kind == "select-multiple":
                data.setdefault(f.name, []).extend(f.selected)
            elif f.present:
                data.setdefault(f.name, []).append(f.value)
        return data


class _FormParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: str | None = None
        self._option_selected = False
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "form":
            self._form = Form(
                method=attrs.get("method", "get").lower(),
                action=attrs.get("action") or self.page_url,
            )
            self.forms.append(self._form)
            if attrs.get("hx-post"):
                # htmx posts the same fields to its own URL (a live preview, say): a second
                # form, whose fields are the same list.
                self.forms.append(Form("post", attrs["hx-post"], self._form.fields))
            return
        if self._form is None or (tag != "option" and not attrs.get("name")):
            return
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in SKIPPED_INPUT_TYPES:
                return
            present = kind not in ("checkbox", "radio") or "checked" in attrs
            value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
            self._form.fields.append(Field(attrs["name"], kind, value, present, attrs=attrs))
        elif tag == "select":
            kind = "select-multiple" if "multiple" in attrs else "select"
            self._select = Field(attrs["name"], kind, present=False, attrs=attrs)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = attrs.get("value")
            self._option_selected = "selected" in attrs
            if self._option is not None:
                self._add_option(self._option)
        elif tag == "textarea":
            self._textarea = Field(attrs["name"], "textarea", attrs=attrs)
            self._form.fields.append(self._textarea)

    def _add_option(self, value: str) -> None:
        assert self._select is not None
        self._select.options.append(value)
        if self._option_selected and self._select.kind == "select-multiple":
            self._select.selected.append(value)
        elif self._option_selected and not (self._select.present and self._select.kind == "select"):
            self._select.value, self._select.present = value, True

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        elif self._select is not None and self._option is None and data.strip():
            # An <option> without a value attribute submits its text.
            self._option = data.strip()
            self._add_option(self._option)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            if not self._select.present and self._select.kind == "select" and self._select.options:
                # A browser submits the first option of a single select with none selected.
                self._select.value, self._select.present = self._select.options[0], True
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            if self._textarea is not None and self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]
            self._textarea = None


def forms_of(html: str, page_url: str) -> list[Form]:
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms
