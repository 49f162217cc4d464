"""The tree of party units and its history.

`Unit` holds each unit's *current* state, cached by the services in
organizations/services.py; `UnitVersion` holds every state it ever had, with
`valid_from` / `valid_to` (exclusive), so the tree as of any date can be read
back. Both carry a materialized `path` (the ancestors' ids, fixed width), so a
subtree is one indexed prefix query at any size.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PATH_STEP = 8  # digits per level: ids up to 99,999,999


def path_segment(pk: int) -> str:
    return f"{pk:0{PATH_STEP}d}"


def path_ids(path: str) -> list[int]:
    return [int(path[i : i + PATH_STEP]) for i in range(0, len(path), PATH_STEP)]


class Level(models.TextChoices):
    # the national root: only the million-member benchmark builds one
    CENTRAL = "central", _("Đảng bộ toàn quốc")
    PROVINCIAL = "provincial", _("Đảng bộ tỉnh / thành phố")
    DISTRICT = "district", _("Đảng bộ huyện / quận / thị xã (trước 01/7/2025)")
    BLOC = "bloc", _("Đảng bộ khối / cơ quan")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Đảng bộ cơ sở")
    GRASSROOTS_CELL = "grassroots_cell", _("Chi bộ cơ sở")
    CELL = "cell", _("Chi bộ trực thuộc")
    PARTY_GROUP = "party_group", _("Tổ đảng")


# Levels whose unit is a cell: members belong to these.
CELL_LEVELS = (Level.GRASSROOTS_CELL, Level.CELL)
# Grassroots organizations (tổ chức cơ sở đảng).
GRASSROOTS_LEVELS = (Level.GRASSROOTS_COMMITTEE, Level.GRASSROOTS_CELL)
# Levels that hold other units.
COMMITTEE_LEVELS = (
    Level.CENTRAL,
    Level.PROVINCIAL,
    Level.DISTRICT,
    Level.BLOC,
    Level.GRASSROOTS_COMMITTEE,
)


class Category(models.TextChoices):
    AGENCY = "agency", _("Chi bộ cơ quan")
    RESIDENTIAL = "residential", _("Chi bộ tổ dân phố / khu phố")
    VILLAGE = "village", _("Chi bộ thôn / làng / bản / ấp")
    POLICE = "police", _("Chi bộ công an")
    MILITARY = "military", _("Chi bộ quân sự")
    SCHOOL = "school", _("Chi bộ nhà trường")
    HEALTH = "health", _("Chi bộ trạm y tế")
    ENTERPRISE = "enterprise", _("Chi bộ doanh nghiệp")
    OTHER = "other", _("Chi bộ khác")


class BaseType(models.TextChoices):
    """The type of locality or institution (loại hình cơ sở) a grassroots
    organization is set up in: the rows of Biểu 5 (2017 set, 3296-CV/BTCTW;
    forms.md "Biểu 5"). Dated on the unit's versions."""

    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    TOWNSHIP = "township", _("Thị trấn")
    PARTY_AGENCY = "party_agency", _("Cơ quan Đảng, Mặt trận Tổ quốc, đoàn thể")
    STATE_AGENCY = "state_agency", _("Cơ quan Nhà nước")
    SERVICE_PUBLIC = "service_public", _("Đơn vị sự nghiệp công lập")
    SERVICE_PRIVATE = "service_private", _("Đơn vị sự nghiệp ngoài công lập")
    MILITARY = "military", _("Quân đội")
    POLICE = "police", _("Công an")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    COOPERATIVE = "cooperative", _("Hợp tác xã")
    ABROAD = "abroad", _("Tổ chức cơ sở đảng ở ngoài nước")
    OTHER = "other", _("Loại hình khác")


class EnterpriseForm(models.TextChoices):
    """An enterprise's legal form (Luật Doanh nghiệp): with its state and
    foreign capital shares it gives Biểu 5's rows 9a–9b."""

    JOINT_STOCK = "joint_stock", _("Công ty cổ phần")
    PRIVATE = "private", _("Doanh nghiệp tư nhân")
    LIMITED = "limited", _("Công ty trách nhiệm hữu hạn")
    PARTNERSHIP = "partnership", _("Công ty hợp danh")


class EconomicSector(models.TextChoices):
    """An enterprise's economic sector (ngành kinh tế): the "chia ra" a)–e)
    of the 2012 Biểu 5's rows 4 and 5 (5-TCTW, 12-HD/BTCTW; forms.md
    "Biểu 5", [C1]). Neither the legal form nor the capital shares tell it,
    so the office records it; the 2017 set has no such rows."""

    INDUSTRY = "industry", _("Công nghiệp các loại")
    TRANSPORT = "transport", _("Giao thông, vận tải, bưu điện")
    CONSTRUCTION = "construction", _("Xây dựng")
    AGRICULTURE = "agriculture", _("Nông, lâm, ngư nghiệp, thuỷ lợi")
    TRADE = "trade", _("Thương nghiệp, du lịch, dịch vụ")


class ServiceKind(models.TextChoices):
    """The kind of a public service unit (loại đơn vị sự nghiệp): the
    "trong đó" lines of the 2012 Biểu 5's row 11 (5-TCTW, [C1]). "Khác" is
    not a line of the form: it is a unit none of the five lines counts (a
    kindergarten, a primary school, a theatre), so that an office can say
    the kind is known."""

    RESEARCH = "research", _("Viện, trung tâm nghiên cứu khoa học")
    UNIVERSITY = "university", _("Trường cao đẳng, đại học")
    VOCATIONAL = "vocational", _("Trường trung học chuyên nghiệp, dạy nghề")
    HIGH_SCHOOL = "high_school", _("Trường trung học phổ thông")
    HOSPITAL = "hospital", _("Bệnh viện")
    OTHER = "other", _("Đơn vị sự nghiệp khác")


class AdministrativeUnit(models.Model):
    """A province, district or commune-level unit of the State, in force from
    `valid_from` (empty: since before chibo's data) until the day before
    `valid_to` (empty: still in force). The units of 1 July 2025 come from the
    `vietnam-provinces` package, those before it (63 provinces, their
    districts, communes, wards and townships, valid_to 01/07/2025) from
    `vietnamadminunits` with the new units each became (`successors`); see
    organizations/admin_units.py. The same official code may denote an old
    unit and a new one: a code is unique among the units in force at once."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Tỉnh")
        CITY = "city", _("Thành phố trực thuộc trung ương")
        DISTRICT = "district", _("Huyện")
        URBAN_DISTRICT = "urban_district", _("Quận")
        TOWN = "town", _("Thị xã")
        PROVINCIAL_CITY = "provincial_city", _("Thành phố thuộc tỉnh")
        COMMUNE = "commune", _("Xã")
        WARD = "ward", _("Phường")
        TOWNSHIP = "township", _("Thị trấn")
        SPECIAL_ZONE = "special_zone", _("Đặc khu")

    code = models.CharField(_("mã"), max_length=16, db_index=True)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hết hiệu lực từ ngày"), null=True, blank=True)
    source = models.CharField(_("nguồn"), max_length=100, blank=True)
    successors = models.ManyToManyField(
        "self",
        through="AdministrativeSuccession",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
    )

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="adminunit_code_current"
            ),
            models.UniqueConstraint(
                fields=["code", "valid_to"],
                condition=Q(valid_to__isnull=False),
                name="adminunit_code_ended",
            ),
        ]

    def __str__(self) -> str:
        if self.parent_id:
            return f"{self.name}, {self.parent.name}"
        return self.name

    @property
    def is_commune_level(self) -> bool:
        return self.kind in COMMUNE_KINDS

    def exists_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to > day
        )

    @property
    def validity(self) -> str:
        """When it was in force, as the pages write it: "đến 30/06/2025"."""
        start = f"từ {_dmy(self.valid_from)}" if self.valid_from else ""
        end = f"đến {_dmy(self.valid_to - timedelta(days=1))}" if self.valid_to else ""
        return " ".join(p for p in (start, end) if p)


COMMUNE_KINDS = (
    AdministrativeUnit.Kind.COMMUNE,
    AdministrativeUnit.Kind.WARD,
    AdministrativeUnit.Kind.TOWNSHIP,
    AdministrativeUnit.Kind.SPECIAL_ZONE,
)


def _dmy(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


class AdministrativeSuccession(models.Model):
    """An old unit became (all or part of) a new one on the old one's valid_to;
    `main` marks the one most of it went to when it was divided."""

    predecessor = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    successor = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    main = models.BooleanField(_("phần chính"), default=True)

    class Meta:
        verbose_name = _("sắp xếp đơn vị hành chính")
        verbose_name_plural = _("sắp xếp đơn vị hành chính")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="adminunit_succession_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id}"


def valid_range(name: str) -> models.CheckConstraint:
    """A period (valid_from, valid_to exclusive) that ends after it starts, or is open."""
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
        name=name,
    )


def one_open(name: str, *fields: str) -> models.UniqueConstraint:
    """At most one open period (valid_to empty) for each value of `fields`."""
    return models.UniqueConstraint(
        fields=list(fields), condition=Q(valid_to__isnull=True), name=name
    )


# The dated attributes of a unit for the forms (UnitFields), copied from one
# version to the next like name and level.
TYPE_FIELDS = (
    "base_type",
    "enterprise_form",
    "state_capital",
    "foreign_capital",
    "economic_sector",
    "service_kind",
    "no_masses",
)


class UnitFields(models.Model):
    """What a unit is at one moment; shared by Unit (now) and UnitVersion (then)."""

    name = models.CharField(_("tên"), max_length=255)
    level = models.CharField(_("cấp"), max_length=32, choices=Level.choices)
    category = models.CharField(
        _("loại chi bộ"), max_length=16, choices=Category.choices, blank=True
    )
    path = models.CharField(max_length=255)
    administrative_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("đơn vị hành chính"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Biểu 5's type and, for an enterprise, its form and capital shares (%);
    # a change is a new version, so a past form reads that year's type.
    base_type = models.CharField(
        _("loại hình cơ sở"), max_length=16, choices=BaseType.choices, blank=True
    )
    enterprise_form = models.CharField(
        _("loại hình doanh nghiệp"), max_length=16, choices=EnterpriseForm.choices, blank=True
    )
    state_capital = models.PositiveSmallIntegerField(_("vốn nhà nước (%)"), null=True, blank=True)
    foreign_capital = models.PositiveSmallIntegerField(
        _("vốn nước ngoài (%)"), null=True, blank=True
    )
    # the 2012 set's sub-rows: an enterprise's sector, a service unit's kind
    economic_sector = models.CharField(
        _("ngành kinh tế"), max_length=16, choices=EconomicSector.choices, blank=True
    )
    service_kind = models.CharField(
        _("loại đơn vị sự nghiệp"), max_length=16, choices=ServiceKind.choices, blank=True
    )
    # Biểu 2 III: the locality or institution has no non-member adults left
    # to admit ("không còn quần chúng").
    no_masses = models.BooleanField(_("không còn quần chúng"), default=False)

    class Meta:
        abstract = True

    @property
    def depth(self) -> int:
        return len(self.path) // PATH_STEP

    @property
    def is_cell(self) -> bool:
        return self.level in CELL_LEVELS

    @property
    def is_grassroots(self) -> bool:
        return self.level in GRASSROOTS_LEVELS


class Unit(UnitFields):
    code = models.CharField(_("mã đơn vị"), max_length=32, unique=True, null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    founded_on = models.DateField(_("ngày thành lập"))
    dissolved_on = models.DateField(_("ngày giải thể / sáp nhập"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="unit_path_idx"),
            models.Index(
                fields=["path"], name="unit_path_like_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["level", "category"], name="unit_level_cat_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    def ancestor_ids(self) -> list[int]:
        return path_ids(self.path)[:-1]

    def is_descendant_of(self, other: "Unit") -> bool:
        return self.path.startswith(other.path)


class UnitVersion(UnitFields):
    """One state of a unit, valid from `valid_from` until the day before `valid_to`."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="versions")
    parent = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến (không kể)"), null=True, blank=True)
    change = models.CharField(_("thay đổi"), max_length=32, blank=True)
    restructure = models.ForeignKey(
        "Restructure", null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lịch sử tổ chức")
        verbose_name_plural = _("lịch sử tổ chức")
        ordering = ["unit_id", "valid_from"]
        indexes = [
            models.Index(fields=["path", "valid_from"], name="unitver_path_idx"),
            models.Index(
                fields=["path"], name="unitver_path_like_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["unit", "valid_from"], name="unitver_unit_idx"),
        ]
        constraints = [
            valid_range("unitver_valid_range"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y}–)"


def valid_on(day: date, prefix: str = "") -> Q:
    """Rows of a history table (valid_from / valid_to) in force on `day`."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


def active_on(day: date, prefix: str = "") -> Q:
    """Units founded by `day` and not yet dissolved on it: a dissolution
    decided with a later effective date leaves the unit (and its members) in
    place until then, and a unit founded from next month is not there yet."""
    return Q(**{f"{prefix}founded_on__lte": day}) & (
        Q(**{f"{prefix}dissolved_on__isnull": True}) | Q(**{f"{prefix}dissolved_on__gt": day})
    )


class Period(models.Model):
    """A row of an append-only history: in force from `valid_from` until the
    day before `valid_to` (open while empty), and who recorded it. Placements,
    statuses, exemptions, residence contacts, seats and community posts are
    all periods; `valid_on(day)` reads any of them as of a date."""

    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày (không kể)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Role(models.Model):
    """A user's role on a unit; it reaches the unit and everything below it."""

    class Kind(models.TextChoices):
        ADMIN = "admin", _("Quản trị")
        STAFF = "staff", _("Cán bộ văn phòng (được sửa)")
        SECRETARY = "secretary", _("Bí thư chi bộ (sửa số liệu thường xuyên của chi bộ)")
        REVIEWER = "reviewer", _("Theo dõi (chỉ xem)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="roles"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="roles"
    )
    kind = models.CharField(_("vai trò"), max_length=16, choices=Kind.choices)
    valid_from = models.DateField(_("từ ngày"), default=date.today)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_kind_display()} – {self.unit}"


# --- Terms, committees and seats (nhiệm kỳ, cấp ủy) ---------------------------


class TermLength(models.Model):
    """How long a term of a level's committee runs, in months (a setting per
    level). Without a row settings.CHIBO_TERM_MONTHS applies."""

    level = models.CharField(_("cấp"), max_length=32, choices=Level.choices, unique=True)
    months = models.PositiveSmallIntegerField(_("số tháng"))

    class Meta:
        verbose_name = _("độ dài nhiệm kỳ")
        verbose_name_plural = _("độ dài nhiệm kỳ")

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.months}"


class Term(models.Model):
    """A term (nhiệm kỳ) of a unit, opened by its congress (đại hội) on
    `valid_from`; due to end on `due_on`; closed (`valid_to`) by the next
    congress."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="terms")
    name = models.CharField(_("nhiệm kỳ"), max_length=64)
    valid_from = models.DateField(_("ngày đại hội"))
    due_on = models.DateField(_("hết nhiệm kỳ dự kiến"))
    valid_to = models.DateField(_("kết thúc (không kể)"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nhiệm kỳ")
        verbose_name_plural = _("nhiệm kỳ")
        ordering = ["unit_id", "valid_from"]
        constraints = [
            valid_range("term_valid_range"),
            one_open("term_one_open", "unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.name}"


class Body(models.TextChoices):
    """The body a seat belongs to. A cell under 9 official members elects its
    secretary and deputy directly, without a cell committee (Điều lệ, Điều 24)."""

    EXECUTIVE = "executive", _("Ban Chấp hành")
    STANDING = "standing", _("Ban Thường vụ")
    CELL_COMMITTEE = "cell_committee", _("Chi ủy")
    DIRECT = "direct", _("Chi bộ bầu trực tiếp")


class Position(models.TextChoices):
    SECRETARY = "secretary", _("Bí thư")
    STANDING_DEPUTY = "standing_deputy", _("Phó Bí thư Thường trực")
    DEPUTY_SECRETARY = "deputy_secretary", _("Phó Bí thư")
    COMMITTEE_MEMBER = "committee_member", _("Ủy viên")
    GROUP_LEADER = "group_leader", _("Tổ trưởng tổ đảng")


class Seat(Period):
    """A member holding a position in a body of a unit's term, over a period."""

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="seats")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="seats")
    body = models.CharField(_("cơ quan"), max_length=16, choices=Body.choices)
    position = models.CharField(_("chức vụ"), max_length=20, choices=Position.choices)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("đảng viên"),
        on_delete=models.PROTECT,
        related_name="seats",
    )
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("chức vụ cấp ủy")
        verbose_name_plural = _("chức vụ cấp ủy")
        ordering = ["unit_id", "valid_from"]
        indexes = [models.Index(fields=["unit", "valid_from"], name="seat_unit_idx")]
        constraints = [
            valid_range("seat_valid_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_position_display()} {self.unit}: {self.member}"


class CommunityPost(Period):
    """A community post of a residential area (trưởng thôn / tổ trưởng tổ dân
    phố, trưởng ban công tác Mặt trận), held by a party member or not."""

    class Kind(models.TextChoices):
        VILLAGE_HEAD = "village_head", _("Trưởng thôn / tổ trưởng tổ dân phố")
        FRONT_HEAD = "front_head", _("Trưởng ban công tác Mặt trận")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="community_posts")
    kind = models.CharField(_("chức danh"), max_length=16, choices=Kind.choices)
    person_name = models.CharField(_("họ và tên"), max_length=150)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("là đảng viên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="community_posts",
    )

    class Meta:
        verbose_name = _("chức danh ở khu dân cư")
        verbose_name_plural = _("chức danh ở khu dân cư")
        ordering = ["unit_id", "kind", "valid_from"]
        constraints = [
            valid_range("post_valid_range"),
            one_open("post_one_open", "unit", "kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit}: {self.person_name}"

    @property
    def is_party_member(self) -> bool:
        return self.member_id is not None


class Restructure(models.Model):
    """One recorded change of the structure, with the decision behind it."""

    class Kind(models.TextChoices):
        FOUND = "found", _("Thành lập")
        RENAME = "rename", _("Đổi tên")
        MOVE = "move", _("Chuyển trực thuộc")
        UPGRADE = "upgrade", _("Nâng cấp")
        MERGE = "merge", _("Hợp nhất / sáp nhập")
        SPLIT = "split", _("Chia tách")
        DISSOLVE = "dissolve", _("Giải thể")

    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    decision_number = models.CharField(_("số quyết định"), max_length=64)
    decision_date = models.DateField(_("ngày quyết định"))
    effective_on = models.DateField(_("ngày hiệu lực"))
    summary = models.CharField(_("nội dung"), max_length=500)
    data = models.JSONField(default=dict, blank=True)
    units = models.ManyToManyField(Unit, related_name="restructures", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sắp xếp tổ chức")
        verbose_name_plural = _("sắp xếp tổ chức")
        ordering = ["-effective_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.decision_number}"


class Population(models.Model):
    """The households and people of a unit's locality (a ward, a commune, a
    residential area), as counted on `counted_on` (seed 003: 3,815 households,
    13,874 people). Append-only: a new count is a new row; the figures of a
    date are the latest count on or before it."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="population_counts")
    counted_on = models.DateField(_("số liệu tại ngày"))
    households = models.PositiveIntegerField(_("số hộ gia đình"))
    people = models.PositiveIntegerField(_("số nhân khẩu"))
    note = models.CharField(_("nguồn số liệu"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("số hộ và nhân khẩu")
        verbose_name_plural = _("số hộ và nhân khẩu")
        ordering = ["unit_id", "counted_on", "pk"]
        indexes = [models.Index(fields=["unit", "counted_on"], name="population_unit_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(people__gte=models.F("households")), name="population_people_gte_hh"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.households} hộ, {self.people} người ({_dmy(self.counted_on)})"
