from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from chibo.forms import LoginForm
from chibo.panels import home_panels
from members.selectors import member_counts_for
from organizations.selectors import children_with_member_counts, root_units_for

# A board reaching a thousand units sees the first ones here and the rest on
# the unit page, which pages through them.
HOME_CHILDREN = 30


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    """The user's part of the tree: their top units, each with its sub-units and member counts."""
    roots = root_units_for(request.user)
    counts = member_counts_for(roots)
    blocks = []
    for unit in roots:
        children = children_with_member_counts(unit)
        blocks.append(
            {
                "unit": unit,
                "member_count": counts[unit.pk],
                "children": children[:HOME_CHILDREN],
                "more": len(children) - HOME_CHILDREN,
            }
        )
    return render(request, "home.html", {"blocks": blocks, "panels": home_panels(request)})


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def forbidden(request, exception=None):
    return render(request, "403.html", status=403)


def server_error(request):
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
