"""`{% load reviews_tags %}{% member_ratings member %}`: a member's ratings over
the years, for the member profile; `{% result_rows lines … %}`: the rows of a
results table."""

from django import template
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from organizations.selectors import scope_q
from reviews.models import MemberReview
from reviews.selectors import member_rating_history

register = template.Library()


@register.inclusion_tag("reviews/_member_history.html", takes_context=True)
def member_ratings(context, member):
    """Each year links to its review sheet only where the viewer may open it:
    a member transferred in keeps the years reviewed in a cell of another
    committee, shown without a link."""
    history = member_rating_history(member)
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is not None and history:
        visible = set(
            MemberReview.objects.filter(
                scope_q(user, "cell__path"), pk__in=[r.pk for r in history]
            ).values_list("pk", flat=True)
        )
        for r in history:
            r.in_reach = r.pk in visible
    return {"history": history, "member": member}


@register.simple_tag
def result_rows(lines, l_unit, l_rated, l_last):
    """The rows of reviews/_results.html, drawn in Python: a province's page
    has 51 lines of four levels in each of two tables, and through the
    template language they were most of the results page's time. The same
    HTML as the template drew (numbers localized the same way)."""
    rows = []
    for i, line in enumerate(lines):
        name = format_html("<b>{}</b>", line.unit.name) if i == 0 else line.unit.name
        cells = "".join(
            format_html(
                '<td class="num" data-label="{}">{} · {}<br><small class="muted">{} {} · {}{}'
                "</small></td>",
                f.short,
                localize(f.count),
                f.percent,
                l_last,
                localize(f.last_count),
                f.last_percent,
                format_html(
                    ' <span class="rv-{}">{}{}</span>',
                    f.trend,
                    "+" if f.change > 0 else "",
                    localize(f.change),
                )
                if f.change
                else "",
            )
            for f in line.figures
        )
        rows.append(
            format_html(
                '<tr>\n    <td data-label="{}">{}</td>\n'
                '    <td class="num" data-label="{}">{} <small class="muted">({} {})</small></td>\n'
                "    {}\n  </tr>",
                l_unit,
                name,
                l_rated,
                localize(line.rated),
                l_last,
                localize(line.last_rated),
                mark_safe(cells),
            )
        )
    return mark_safe("".join(rows))
