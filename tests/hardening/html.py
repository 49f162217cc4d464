"""Reading pages as a browser would, without one: the form a page shows (its
fields with their current values, as a submit would send them) and the links
it shows."""

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._select_first = None
        self._textarea = None
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action")}
            self._form["fields"] = []
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._form["fields"].append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = name
            self._select_first = None
            self._selected = False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._form["fields"].append((self._select, value))
                self._selected = True
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select:
            if not self._selected and self._select_first is not None and self._form is not None:
                self._form["fields"].append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            value = self._textarea[1]
            if value.startswith("\n"):
                value = value[1:]
            if self._form is not None:
                self._form["fields"].append((self._textarea[0], value))
            self._textarea = None


def parse(content: bytes | str) -> _Forms:
    parser = _Forms()
    parser.feed(content.decode() if isinstance(content, bytes) else content)
    return parser


def post_form(content, *, containing: str = "") -> dict:
    """The fields of the page's POST form (the first one with a field named
    `containing`, or the one with the most fields) as {name: value or [values]}."""
    forms = [f for f in parse(content).forms if f["method"] == "post"]
    if containing:
        forms = [f for f in forms if any(n == containing for n, _ in f["fields"])]
    form = max(forms, key=lambda f: len(f["fields"]))
    data: dict = {}
    for name, value in form["fields"]:
        if name in data:
            data[name] = [*([data[name]] if isinstance(data[name], str) else data[name]), value]
        else:
            data[name] = value
    return data


def links(content) -> list[str]:
    return parse(content).links
