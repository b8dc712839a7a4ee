"""The forms of a page as the walks read them (tests/walks/test_bad_values.py, test_security_generic.py)."""

from html.parser import HTMLParser


class _Forms(HTMLParser):
    """Every form of a page: method, action, and per field its input type and the values the page offers."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag in {"input", "textarea", "select"} and a.get("name"):
            if a["name"] == "csrfmiddlewaretoken" or a.get("type") in {"submit", "button"}:
                return
            field = self._form["fields"].setdefault(a["name"], {"type": a.get("type") or tag, "options": []})
            if a.get("value") is not None and a.get("type") in {"radio", "checkbox", "hidden"}:
                field["options"].append(a["value"])
            self._select = a["name"] if tag == "select" else None
        elif tag == "option" and self._form is not None and self._select:
            self._form["fields"][self._select]["options"].append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_on(html: str) -> list[dict]:
    """The page's forms that have fields: method, action and, per field name, its type and offered values."""
    parser = _Forms()
    parser.feed(html)
    return [form for form in parser.forms if form["fields"]]
