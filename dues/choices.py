"""What the dues records name, shared by models and rules (imports no models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DuesCategory(models.TextChoices):
    """The groups whose dues the regulations set differently (Quy định
    342-QĐ/TW, 01-QĐ/TW). The base is what the percentage applies to."""

    INSURED = "insured", _("Tham gia BHXH bắt buộc (theo tiền lương đóng BHXH)")
    SICK_LEAVE = "sick_leave", _("Nghỉ ốm, thai sản hưởng trợ cấp BHXH")
    PENSION = "pension", _("Hưởng lương hưu")
    STUDENT = "student", _("Học sinh, sinh viên")
    ABROAD_MISSION = "abroad_mission", _("Ở nước ngoài, hưởng sinh hoạt phí (cơ quan đại diện)")
    ABROAD_OTHER = "abroad_other", _("Ở nước ngoài, khác")
    WORKING_AGE = "working_age", _("Trong độ tuổi lao động, không tham gia BHXH")
    OVER_AGE = "over_age", _("Ngoài độ tuổi lao động, không tham gia BHXH")
    SOCIAL_PENSION = "social_pension", _("Hưởng trợ cấp hưu trí xã hội")


# The categories whose amount is a percentage of the member's base.
BASE_CATEGORIES = (
    DuesCategory.INSURED,
    DuesCategory.SICK_LEAVE,
    DuesCategory.PENSION,
    DuesCategory.ABROAD_MISSION,
)


class ReliefReason(models.TextChoices):
    """Grounds of a reduction or exemption on request (01-QĐ/TW)."""

    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    ILLNESS = "illness", _("Ốm đau hiểm nghèo, bệnh nặng")
    OTHER = "other", _("Khó khăn khác")


RELIEF_PERCENTS = (30, 50, 70, 100)  # 100: exempt


class Channel(models.TextChoices):
    CASH = "cash", _("Tiền mặt")
    PORTAL = "portal", _("Cổng Dịch vụ công")


class ShareKind(models.TextChoices):
    """Kinds of organization whose kept share of the dues differs."""

    CELL_RESIDENTIAL = "cell_residential", _("Chi bộ trực thuộc ở thôn, tổ dân phố")
    CELL_OTHER = "cell_other", _("Chi bộ trực thuộc khác")
    GRASSROOTS_LOCALITY = "grassroots_locality", _("Tổ chức cơ sở đảng ở xã, phường, đặc khu")
    GRASSROOTS_OTHER = "grassroots_other", _("Tổ chức cơ sở đảng khác")
    SUPERIOR = "superior", _("Cấp trên cơ sở")


# The shares kept when an administrator has set none for the date. Not from the
# public text of 01-QĐ/TW (its annex was not readable): the practice recorded
# under 342-QĐ/TW and Hướng dẫn 724 (see README, "Party dues").
DEFAULT_KEPT_PERCENT = {
    ShareKind.CELL_RESIDENTIAL: 50,
    ShareKind.CELL_OTHER: 30,
    ShareKind.GRASSROOTS_LOCALITY: 90,
    ShareKind.GRASSROOTS_OTHER: 70,
    ShareKind.SUPERIOR: 50,
}
