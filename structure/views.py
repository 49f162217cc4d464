"""Pages of the unit tree: the home page's part of the tree, the unit, its
committee and community posts, the guided restructures (preview, then
confirm), the tree as of any date and the rule warnings (the import of units is
the "units" kind of chibo.imports, served at /to-chuc/nhap/ too).

They live here rather than in organizations/ because every one of them shows
or chooses members (counts, the members of a unit then, who holds a seat);
the addresses and names stay organizations' (/to-chuc/…, "organizations:…"),
and so do the templates."""

import json
from collections import Counter
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from chibo import concurrency
from chibo.cache import figures
from chibo.dates import month_ends
from chibo.errors import ServiceError
from chibo.panels import home_panels, unit_panels
from members.models import Member
from members.selectors import (
    children_with_member_counts,
    current_members,
    member_count,
    members_on,
    subtree_member_count_on,
    subtree_trend,
    tree_on,
)
from organizations import forms as f
from organizations.models import (
    TYPE_FIELDS,
    AdministrativeUnit,
    Category,
    Level,
    Restructure,
    Seat,
    Unit,
)
from organizations.selectors import (
    administrative_unit_find,
    can_edit,
    committee_bodies,
    committee_on,
    current_term,
    editable_units,
    may_see,
    root_units_for,
    unit_for_user_or_404,
    unit_on_for_user_or_404,
    unit_version_on,
    units_for,
)
from organizations.services import (
    COMMUNITY_CATEGORIES,
    _bodies_for,
    community_post_assign,
    population_record,
    seat_end,
    term_open,
    unit_found,
    unit_link_locality,
    unit_move,
    unit_rename,
    unit_set_type,
)
from structure.rules import warnings_for
from structure.selectors import warnings_for_user
from structure.services import (
    _members_in,
    seat_assign,
    unit_dissolve,
    unit_merge,
    unit_split,
    unit_upgrade,
)

# A board reaching a thousand units sees the first ones here and the rest on
# the unit page, which pages through them.
HOME_CHILDREN = 30
# sub-units listed per page on a unit's page
CHILDREN_PAGE = 100
# month ends in the unit page's member trend
TREND_MONTHS = 12


@login_required
def home(request):
    """The user's part of the tree: their top units, each with its sub-units and member counts."""
    roots = root_units_for(request.user)
    today = date.today()
    blocks = []
    for unit in roots:
        rows = children_rows(unit, today)
        blocks.append(
            {
                "unit": unit,
                "member_count": unit_member_count(unit, today),
                "children": children_units(unit, rows[:HOME_CHILDREN], "home", today),
                "more": len(rows) - HOME_CHILDREN,
            }
        )
    return render(request, "home.html", {"blocks": blocks, "panels": home_panels(request)})


def children_rows(unit: Unit, today: date) -> list[tuple[int, str, int, int]]:
    """(id, level, members, sub-units) of the unit's active children, in the
    page's order: the same for every user, so kept a while (chibo.cache).
    Plain tuples: a province's thousand Unit objects take longer to unpickle
    than to fetch the hundred a page shows."""
    return figures(
        f"structure.children:{unit.pk}",
        lambda: [
            (c.pk, c.level, c.member_count, c.child_count)
            for c in children_with_member_counts(unit)
        ],
        day=today,
    )


def children_units(unit: Unit, rows, page, today: date) -> list[Unit]:
    """_children_units for one page of `unit`'s children (`page`: its name
    or number), kept a while like the rows themselves (chibo.cache): a
    hundred units unpickle faster than the query builds them."""
    return figures(
        f"structure.children_units:{unit.pk}:{page}", lambda: _children_units(rows), day=today
    )


def _children_units(rows) -> list[Unit]:
    """The units of `rows` (children_rows), each with `.member_count`,
    `.child_count` and the labels its row shows, translated once per label
    rather than once per row (organizations/_unit_table.html): one query."""
    units = Unit.objects.in_bulk([r[0] for r in rows])
    categories, levels = dict(Category.choices), dict(Level.choices)
    # one reverse() for the rows' links ({% url %} per row was a tenth of the page)
    link = reverse("organizations:unit_detail", args=[987654321]).replace("987654321", "{}")
    labels: dict = {}
    out = []
    for pk, _level, members, sub_units in rows:
        unit = units[pk]
        unit.member_count, unit.child_count = members, sub_units
        unit.link = link.format(pk)
        kind = ("category", unit.category) if unit.category else ("level", unit.level)
        if kind not in labels:
            names = categories if unit.category else levels
            labels[kind] = str(names.get(kind[1], kind[1]))
        unit.kind_label = labels[kind]
        if sub_units not in labels:
            labels[sub_units] = ngettext("%(n)s đơn vị", "%(n)s đơn vị", sub_units) % {
                "n": sub_units
            }
        unit.sub_units_label = labels[sub_units]
        out.append(unit)
    return out


def unit_member_count(unit: Unit, today: date) -> int:
    """Members in the unit's subtree today (kept a while, chibo.cache)."""
    return figures(f"structure.members:{unit.pk}", lambda: member_count(unit), day=today)


def unit_figures(unit: Unit, today: date) -> dict:
    """What the unit page shows of the unit that does not depend on who
    looks: its members' trend over the last twelve month ends, the rule
    warnings, its ancestors, locality, committee, term, past seats, posts,
    population, restructures and the changes decided for later (kept a
    while, chibo.cache: every write to them is a service's, which moves the
    data version). Nine queries the first time, none after."""

    def compute() -> dict:
        has_posts = unit.is_cell and unit.category in COMMUNITY_CATEGORIES
        locality = None
        if unit.administrative_unit_id:
            locality = AdministrativeUnit.objects.select_related("parent").get(
                pk=unit.administrative_unit_id
            )
        return {
            # the members at the last twelve month ends, oldest first (the maintained counts)
            "trend": [
                (day, counts)
                for day, counts in subtree_trend(
                    unit, list(reversed(month_ends(today, TREND_MONTHS)))
                )
                if counts is not None
            ],
            "warnings": warnings_for([unit], today),
            "ancestors": list(Unit.objects.filter(pk__in=unit.ancestor_ids()).only("name", "path")),
            "locality": locality,
            "term": current_term(unit),
            "committee": committee_bodies(committee_on(unit, today)),
            "past_seats": list(
                unit.seats.filter(valid_to__isnull=False)
                .select_related("member", "term")
                .order_by("-valid_to")[:10]
            ),
            "has_posts": has_posts,
            "posts": (
                list(unit.community_posts.filter(valid_to__isnull=True).select_related("member"))
                if has_posts
                else []
            ),
            "population": unit.population_counts.filter(counted_on__lte=today)
            .order_by("-counted_on", "-pk")
            .first(),
            "restructures": list(unit.restructures.order_by("-effective_on", "-pk")[:10]),
            # decided, effective later: the page says what is coming
            "upcoming": list(
                unit.versions.filter(valid_from__gt=today)
                .select_related("parent", "restructure")
                .order_by("valid_from")
            ),
        }

    return figures(f"structure.unit:{unit.pk}", compute, day=today)


def breadcrumbs(user, unit: Unit, ancestors: list[Unit] | None = None) -> list[Unit]:
    """The unit's ancestors the user may see, top first. `ancestors`: the
    unit's ancestors already read (unit_figures); the user's reach is then
    units_for()'s rule applied to them, with no query."""
    ids = unit.ancestor_ids()
    if ancestors is None:
        visible = {u.pk: u for u in units_for(user).filter(pk__in=ids)}
    else:
        visible = {u.pk: u for u in ancestors if may_see(user, u)}
    return [visible[i] for i in ids if i in visible]


@login_required
def unit_detail(request, pk: int):
    unit = unit_for_user_or_404(request.user, pk)
    today = date.today()
    # a province has 1,000 grassroots organizations: a page of them at a time
    rows = children_rows(unit, today)
    children_page = Paginator(rows, CHILDREN_PAGE).get_page(request.GET.get("page"))
    shared = unit_figures(unit, today)
    context = {
        **shared,
        "unit": unit,
        "breadcrumbs": breadcrumbs(request.user, unit, shared["ancestors"]),
        "children": children_units(unit, children_page.object_list, children_page.number, today),
        "children_page": children_page,
        "children_levels": _levels_of(rows),
        "member_count": unit_member_count(unit, today),
        "can_edit": can_edit(request.user, unit),
        "panels": unit_panels(request, unit),
        # (address, label, whether it ends the unit: coloured as a grave step)
        "restructure_links": [
            (slug, Restructure.Kind(kind).label, kind == Restructure.Kind.DISSOLVE)
            for slug, kind in RESTRUCTURES.items()
            if kind != Restructure.Kind.UPGRADE or unit.level in (Level.CELL, Level.GRASSROOTS_CELL)
        ],
        "can_found": unit.level != Level.PARTY_GROUP,
    }
    return render(request, "organizations/unit_detail.html", context)


def _levels_of(rows) -> list[tuple[str, int]]:
    """How many of `rows` (children_rows) there are of each level, for the
    line above a paginated list (only when it is paginated)."""
    if len(rows) <= CHILDREN_PAGE:
        return []
    # by level code, labelled once: get_level_display() on a thousand units
    # hashes a lazy translation each time (0.4 s for a province)
    counts = Counter(level for _pk, level, *_ in rows)
    labels = dict(Level.choices)
    return sorted(((str(labels.get(k, k)), n) for k, n in counts.items()), key=lambda kv: -kv[1])


def _editable_or_403(request, pk: int) -> Unit:
    unit = unit_for_user_or_404(request.user, pk)
    if not can_edit(request.user, unit):
        raise PermissionDenied
    return unit


def _as_of(request) -> tuple[date, f.AsOfForm]:
    form = f.AsOfForm(request.GET or None)
    day = date.today()
    if form.is_bound and form.is_valid() and form.cleaned_data["ngay"]:
        day = form.cleaned_data["ngay"]
    return day, form


# --- The structure as of any date ------------------------------------------------


@login_required
def tree_as_of(request):
    day, form = _as_of(request)
    roots = root_units_for(request.user)
    root = None
    if request.GET.get("goc"):
        root = unit_for_user_or_404(request.user, request.GET["goc"])
    elif len(roots) == 1:
        root = roots[0]
    nodes = tree_on(day, root=root, user=request.user)
    # A province is thousands of rows: show as many levels as fit in a page;
    # each unit with units under it opens as the root of its own tree.
    shown_depth = 0
    for depth in range(1, 12):
        if sum(1 for n in nodes if n.depth <= depth) > MAX_TREE_ROWS:
            break
        shown_depth = depth
    shown = [n for n in nodes if n.depth <= shown_depth]
    ngay = day.strftime("%d/%m/%Y")
    as_of_base = reverse("organizations:unit_as_of", args=[0]).replace("/0/", "/{}/")
    tree_base = reverse("organizations:tree")
    for n in shown:
        n.as_of_url = as_of_base.format(n.unit_id) + f"?ngay={ngay}"
        n.browse_url = f"{tree_base}?goc={n.unit_id}&ngay={ngay}" if n.children else ""
        n.indent = n.depth * 1.25
    return render(
        request,
        "organizations/tree_as_of.html",
        {
            "form": form,
            "day": day,
            "nodes": shown,
            "hidden": len(nodes) - len(shown),
            "root": root,
            "roots": roots,
        },
    )


MAX_TREE_ROWS = 600


@login_required
def unit_as_of(request, pk: int):
    day, form = _as_of(request)
    unit = unit_on_for_user_or_404(request.user, pk, day)
    version = unit_version_on(unit, day)
    parent = unit_version_on(version.parent, day) if version and version.parent_id else None
    try:  # linked only for who may open it (a cell secretary may not see the ward)
        parent_in_reach = parent is not None and bool(
            unit_on_for_user_or_404(request.user, parent.unit_id, day)
        )
    except Http404:
        parent_in_reach = False
    return render(
        request,
        "organizations/unit_as_of.html",
        {
            "unit": unit,
            "day": day,
            "form": form,
            "version": version,
            "parent": parent,
            "parent_in_reach": parent_in_reach,
            "members": members_on(unit, day) if version and version.is_cell else [],
            "member_total": subtree_member_count_on(unit, day) if version else None,
            "seats": committee_on(unit, day) if version else [],
            "restructures": unit.restructures.order_by("-effective_on", "-pk")[:50],
        },
    )


# --- Warnings ------------------------------------------------------------------


@login_required
def warnings_list(request):
    warnings = warnings_for_user(request.user)
    counts = Counter(w.code for w in warnings)
    code = request.GET.get("loai", "")
    if code in counts:
        warnings = [w for w in warnings if w.code == code]
    return render(
        request,
        "organizations/warnings.html",
        {
            "warnings": warnings[:MAX_WARNING_ROWS],
            "total": len(warnings),
            "kinds": [(c, WARNING_LABELS.get(c, c), n) for c, n in sorted(counts.items())],
            "code": code,
        },
    )


MAX_WARNING_ROWS = 1000
WARNING_LABELS = {
    "too_few_officials": gettext_lazy("Chi bộ dưới 3 đảng viên chính thức"),
    "no_cell_committee": gettext_lazy("Chi bộ từ 9 đảng viên chính thức chưa có chi ủy"),
    "grassroots_cell_too_big": gettext_lazy("Chi bộ cơ sở từ 30 đảng viên"),
    "term_overdue": gettext_lazy("Quá hạn đại hội"),
    "term_ending": gettext_lazy("Sắp hết nhiệm kỳ (3 tháng)"),
    "no_secretary": gettext_lazy("Chưa có bí thư"),
}


# --- Committee and terms ---------------------------------------------------------


def _unit_members(unit: Unit):
    return list(current_members(unit).order_by("sort_key")[:3000])


@login_required
def unit_committee(request, pk: int):
    unit = unit_for_user_or_404(request.user, pk)
    editable = can_edit(request.user, unit)
    term = current_term(unit)
    members = _unit_members(unit) if editable else []
    bodies = _bodies_for(unit)
    term_form = f.TermForm(prefix="term")
    seat_form = f.SeatForm(prefix="seat", members=members, bodies=bodies)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "term":
                term_form = f.TermForm(request.POST, prefix="term")
                if term_form.is_valid():
                    d = term_form.cleaned_data
                    term_open(
                        actor=request.user,
                        unit=unit,
                        congress_on=d["congress_on"],
                        name=d["name"],
                        due_on=d["due_on"],
                        decision_number=d["decision_number"],
                    )
                    messages.success(request, _("Đã ghi đại hội và nhiệm kỳ mới."))
                    return redirect("organizations:committee", pk=unit.pk)
            elif action == "seat":
                seat_form = f.SeatForm(request.POST, prefix="seat", members=members, bodies=bodies)
                if seat_form.is_valid():
                    if term is None:
                        raise ServiceError(_("Hãy ghi đại hội (nhiệm kỳ) trước khi giao chức vụ."))
                    d = seat_form.cleaned_data
                    seat_assign(
                        actor=request.user,
                        term=term,
                        member=Member.objects.get(pk=d["member"]),
                        position=d["position"],
                        body=d["body"],
                        valid_from=d["valid_from"],
                        decision_number=d["decision_number"],
                    )
                    messages.success(request, _("Đã ghi chức vụ."))
                    return redirect("organizations:committee", pk=unit.pk)
            elif action == "seat_end":
                end_form = f.SeatEndForm(request.POST)
                if not end_form.is_valid():
                    raise ServiceError(_("Ngày không đúng, hãy ghi theo dạng dd/mm/yyyy."))
                seat = Seat.objects.filter(unit=unit, pk=end_form.cleaned_data["seat"]).first()
                if seat is None:
                    raise Http404
                seat_end(actor=request.user, seat=seat, day=end_form.cleaned_data["day"])
                messages.success(request, _("Đã ghi thôi giữ chức vụ."))
                return redirect("organizations:committee", pk=unit.pk)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "organizations/committee.html",
        {
            "unit": unit,
            "breadcrumbs": breadcrumbs(request.user, unit),
            "term": term,
            "terms": unit.terms.order_by("-valid_from"),
            "seats": unit.seats.select_related("member", "term").order_by(
                "-valid_from", "position"
            ),
            "current": committee_on(unit, date.today()),
            "editable": editable,
            "term_form": term_form,
            "seat_form": seat_form,
        },
    )


@login_required
def unit_locality(request, pk: int):
    """The administrative unit a committee serves, over time, and the
    households and people of its locality, each count with its date."""
    unit = unit_for_user_or_404(request.user, pk)
    editable = can_edit(request.user, unit)
    link_form, count_form = f.LocalityForm(prefix="link"), f.PopulationForm(prefix="count")
    type_form = f.TypeForm(prefix="type", initial={k: getattr(unit, k) for k in TYPE_FIELDS})
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "type":
                type_form = f.TypeForm(request.POST, prefix="type")
                if type_form.is_valid():
                    unit_set_type(actor=request.user, unit=unit, **type_form.cleaned_data)
                    messages.success(request, _("Đã ghi loại hình cơ sở."))
                    return redirect("organizations:locality", pk=unit.pk)
            elif request.POST.get("action") == "link":
                link_form = f.LocalityForm(request.POST, prefix="link")
                if link_form.is_valid():
                    d = link_form.cleaned_data
                    text = d["administrative_unit"].strip()
                    unit_link_locality(
                        actor=request.user,
                        unit=unit,
                        administrative_unit=(
                            administrative_unit_find(text, d["effective_on"]) if text else None
                        ),
                        effective_on=d["effective_on"],
                    )
                    messages.success(request, _("Đã ghi địa bàn."))
                    return redirect("organizations:locality", pk=unit.pk)
            else:
                count_form = f.PopulationForm(request.POST, prefix="count")
                if count_form.is_valid():
                    population_record(actor=request.user, unit=unit, **count_form.cleaned_data)
                    messages.success(request, _("Đã ghi số hộ và nhân khẩu."))
                    return redirect("organizations:locality", pk=unit.pk)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "organizations/locality.html",
        {
            "unit": unit,
            "breadcrumbs": breadcrumbs(request.user, unit),
            "links": unit.versions.select_related("administrative_unit__parent").order_by(
                "valid_from"
            ),
            "counts": unit.population_counts.select_related("created_by").order_by(
                "-counted_on", "-pk"
            ),
            "editable": editable,
            "link_form": link_form,
            "count_form": count_form,
            "type_form": type_form if unit.is_grassroots else None,
        },
    )


@login_required
def unit_posts(request, pk: int):
    unit = unit_for_user_or_404(request.user, pk)
    editable = can_edit(request.user, unit)
    members = _unit_members(unit) if editable else []
    form = f.PostForm(members=members)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = f.PostForm(request.POST, members=members)
        if form.is_valid():
            d = form.cleaned_data
            try:
                community_post_assign(
                    actor=request.user,
                    unit=unit,
                    kind=d["kind"],
                    valid_from=d["valid_from"],
                    person_name=d["person_name"],
                    member=Member.objects.get(pk=d["member"]) if d["member"] else None,
                )
                messages.success(request, _("Đã ghi chức danh."))
                return redirect("organizations:posts", pk=unit.pk)
            except ServiceError as exc:
                messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "organizations/posts.html",
        {
            "unit": unit,
            "breadcrumbs": breadcrumbs(request.user, unit),
            "posts": unit.community_posts.select_related("member").order_by("kind", "-valid_from"),
            "editable": editable,
            "form": form,
        },
    )


# --- Restructuring: a guided form, a preview, then the confirmation -------------

RESTRUCTURES = {
    "doi-ten": Restructure.Kind.RENAME,
    "chuyen-truc-thuoc": Restructure.Kind.MOVE,
    "nang-cap": Restructure.Kind.UPGRADE,
    "hop-nhat": Restructure.Kind.MERGE,
    "chia-tach": Restructure.Kind.SPLIT,
    "giai-the": Restructure.Kind.DISSOLVE,
}
FORMS = {
    Restructure.Kind.RENAME: f.RenameForm,
    Restructure.Kind.MOVE: f.MoveForm,
    Restructure.Kind.UPGRADE: f.UpgradeForm,
    Restructure.Kind.MERGE: f.MergeForm,
    Restructure.Kind.SPLIT: f.SplitForm,
    Restructure.Kind.DISSOLVE: f.DissolveForm,
}
HELP = {
    Restructure.Kind.RENAME: gettext_lazy("Tên cũ vẫn được giữ cho các ngày trước ngày hiệu lực."),
    Restructure.Kind.MOVE: gettext_lazy(
        "Đơn vị cùng toàn bộ các đơn vị và đảng viên trực thuộc chuyển sang cấp ủy mới."
    ),
    Restructure.Kind.UPGRADE: gettext_lazy(
        "Chi bộ trực thuộc → chi bộ cơ sở → đảng bộ cơ sở (từ 30 đảng viên, Điều lệ Đảng Điều 21)."
    ),
    Restructure.Kind.MERGE: gettext_lazy(
        "Các đơn vị được chọn thôi hoạt động từ ngày hiệu lực; đơn vị trực thuộc và đảng viên "
        "của chúng chuyển về đơn vị sau hợp nhất."
    ),
    Restructure.Kind.SPLIT: gettext_lazy(
        "Đơn vị này thôi hoạt động; mỗi đảng viên và mỗi đơn vị trực thuộc phải được chọn nơi mới."
    ),
    Restructure.Kind.DISSOLVE: gettext_lazy(
        "Mọi đảng viên phải có nơi sinh hoạt mới: chọn một chi bộ cho tất cả, hoặc cho từng người."
    ),
}


class _Rollback(Exception):
    def __init__(self, impact):
        self.impact = impact


def _run(kind: str, form, unit: Unit, actor) -> Restructure:
    d = form.cleaned_data
    decision = form.decision()
    if kind == Restructure.Kind.RENAME:
        return unit_rename(actor=actor, unit=unit, name=d["name"], **decision)
    if kind == Restructure.Kind.MOVE:
        return unit_move(actor=actor, unit=unit, parent=d["parent"], **decision)
    if kind == Restructure.Kind.UPGRADE:
        names = [n.strip() for n in (d.get("cell_names") or "").splitlines() if n.strip()]
        return unit_upgrade(
            actor=actor,
            unit=unit,
            parent=d.get("parent"),
            cell_names=names,
            assignments={m.pk: 0 for m in _members_in(unit)},
            **decision,
        )
    if kind == Restructure.Kind.MERGE:
        units = [unit, *d["others"]]
        if d["mode"] == "new":
            return unit_merge(
                actor=actor, units=units, name=d["name"], code=d["code"] or None, **decision
            )
        return unit_merge(actor=actor, units=units, into=unit, **decision)
    if kind == Restructure.Kind.SPLIT:
        return unit_split(actor=actor, unit=unit, **form.service_kwargs(), **decision)
    return unit_dissolve(actor=actor, unit=unit, **form.service_kwargs(), **decision)


def _impact(r: Restructure) -> dict:
    """What the restructure changes: each unit it touches with its name,
    superior and member count the day before and on the effective date, and
    where each member goes."""
    day = r.effective_on
    before = day - timedelta(days=1)
    rows = []
    for unit in r.units.order_by("path"):
        vb, va = unit_version_on(unit, before), unit_version_on(unit, day)
        rows.append(
            {
                "before_name": vb.name if vb else "",
                "after_name": va.name if va else "",
                "before_parent": vb.parent.name if vb and vb.parent_id else "",
                "after_parent": va.parent.name if va and va.parent_id else "",
                "before_count": subtree_member_count_on(unit, before),
                "after_count": subtree_member_count_on(unit, day),
            }
        )
    moves = []
    dest_ids = set((r.data.get("members") or {}).values())
    dests = {u.pk: u.name for u in Unit.objects.filter(pk__in=dest_ids)}
    names = dict(
        Member.objects.filter(pk__in=[int(k) for k in (r.data.get("members") or {})]).values_list(
            "pk", "full_name"
        )
    )
    for member_id, dest in (r.data.get("members") or {}).items():
        moves.append({"member": names.get(int(member_id), ""), "to": dests.get(dest, "")})
    moves.sort(key=lambda m: (m["to"], m["member"]))
    return {"summary": r.summary, "rows": rows, "moves": moves, "day": day}


def _unit_state(pk: int, members: bool) -> dict[str, str]:
    """The unit as stored, for the edit rule (chibo.concurrency): what a
    restructure page shows of it and acts on."""
    unit = Unit.objects.select_related("parent").get(pk=pk)
    state = {
        _("Tên"): unit.name,
        _("Mã"): unit.code or "—",
        _("Cấp ủy cấp trên"): unit.parent.name if unit.parent_id else "—",
        _("Loại tổ chức"): str(unit.get_level_display()),
        _("Giải thể"): unit.dissolved_on.strftime("%d/%m/%Y") if unit.dissolved_on else "—",
    }
    if members:
        state[_("Đảng viên")] = ", ".join(sorted(m.full_name for m in _members_in(unit))) or "—"
    return state


def _token(post) -> str:
    items = sorted(
        (k, v)
        for k, values in post.lists()
        for v in values
        if k not in ("csrfmiddlewaretoken", "confirm", "preview", "token")
    )
    # not signing.dumps: its timestamp would make the same values a new token
    return salted_hmac("organizations.restructure", json.dumps(items)).hexdigest()


@login_required
def restructure(request, pk: int, slug: str):
    kind = RESTRUCTURES.get(slug)
    if kind is None:
        raise Http404
    unit = _editable_or_403(request, pk)
    if unit.dissolved_on is not None:
        messages.error(request, _("Đơn vị đã giải thể, không sắp xếp được nữa."))
        return redirect("organizations:unit_detail", pk=unit.pk)
    if kind == Restructure.Kind.UPGRADE and unit.level not in (Level.CELL, Level.GRASSROOTS_CELL):
        messages.error(request, _("Chỉ nâng cấp được chi bộ trực thuộc hoặc chi bộ cơ sở."))
        return redirect("organizations:unit_detail", pk=unit.pk)
    form_class = FORMS[kind]
    kwargs = {"unit": unit, "units": editable_units(request.user)}
    if kind in (Restructure.Kind.DISSOLVE, Restructure.Kind.SPLIT):
        kwargs["members"] = _members_in(unit)
    form = form_class(request.POST or None, **kwargs)
    impact = error = token = None
    with_members = kind in (Restructure.Kind.DISSOLVE, Restructure.Kind.SPLIT)
    seen = request.POST.get(concurrency.FIELD) or concurrency.token(
        _unit_state(unit.pk, with_members)
    )
    if request.method == "POST" and form.is_valid():
        posted = _token(request.POST)
        try:
            if "confirm" in request.POST and request.POST.get("token") == posted:
                # told what changed if someone else changed the unit meanwhile
                with concurrency.guarded(
                    request.POST.get(concurrency.FIELD),
                    lock=Unit.objects.filter(pk=unit.pk),
                    state=lambda: _unit_state(unit.pk, with_members),
                    record=unit,
                ):
                    r = _run(kind, form, unit, request.user)
                messages.success(
                    request,
                    _("Đã thực hiện: %(summary)s (quyết định số %(number)s, hiệu lực %(day)s).")
                    % {
                        "summary": r.summary,
                        "number": r.decision_number,
                        "day": r.effective_on.strftime("%d/%m/%Y"),
                    },
                )
                target = unit
                if kind == Restructure.Kind.MERGE and r.data.get("into"):
                    target = Unit.objects.get(pk=r.data["into"])
                elif kind in (Restructure.Kind.DISSOLVE, Restructure.Kind.SPLIT) and unit.parent_id:
                    target = unit.parent
                return redirect("organizations:unit_detail", pk=target.pk)
            try:
                with transaction.atomic():
                    r = _run(kind, form, unit, request.user)
                    raise _Rollback(_impact(r))
            except _Rollback as done:
                impact = done.impact
                token = posted
        except concurrency.EditConflict as exc:
            # shown again with the unit as it is now: a second preview, then confirm
            error = " ".join(exc.messages)
            seen = concurrency.token(_unit_state(unit.pk, with_members))
        except ServiceError as exc:
            error = " ".join(exc.messages)
    return render(
        request,
        "organizations/restructure.html",
        {
            "unit": unit,
            "breadcrumbs": breadcrumbs(request.user, unit),
            "kind": kind,
            "title": Restructure.Kind(kind).label,
            "help": HELP[kind],
            "form": form,
            "impact": impact,
            "error": error,
            "token": token,
            "seen": seen,
            "slug": slug,
        },
    )


@login_required
def found_child(request, pk: int):
    unit = _editable_or_403(request, pk)
    form = f.FoundForm(request.POST or None, unit=unit, units=editable_units(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            place = d["administrative_unit"].strip()
            child = unit_found(
                actor=request.user,
                name=d["name"],
                level=d["level"],
                parent=unit,
                category=d["category"],
                code=d["code"] or None,
                administrative_unit=(
                    administrative_unit_find(place, d["effective_on"]) if place else None
                ),
                founded_on=d["effective_on"],
                decision_number=d["decision_number"],
                decision_date=d["decision_date"],
            )
            messages.success(request, _("Đã thành lập %(name)s.") % {"name": child.name})
            return redirect("organizations:unit_detail", pk=child.pk)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "organizations/found.html",
        {"unit": unit, "breadcrumbs": breadcrumbs(request.user, unit), "form": form},
    )


def tree_url(unit: Unit, day: date) -> str:
    return reverse("organizations:unit_as_of", args=[unit.pk]) + f"?ngay={day:%d/%m/%Y}"
