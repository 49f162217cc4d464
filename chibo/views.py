from datetime import timedelta

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from chibo.exports import generated_file_for_user_or_404
from chibo.forms import LoginForm
from chibo.models import GeneratedFile

# A job still queued after this long: no worker seems to be running.
WORKER_HINT_AFTER = timedelta(minutes=2)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def forbidden(request, exception=None):
    return render(request, "403.html", status=403)


def server_error(request):
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())


def favicon(request):
    return HttpResponsePermanentRedirect(static("favicon.ico"))


# --- files made in the background (chibo.exports) -------------------------------------------


def _job_context(request, job: GeneratedFile) -> dict:
    back = job.back_url
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    waiting = job.status == GeneratedFile.Status.QUEUED and (
        timezone.now() - job.created_at > WORKER_HINT_AFTER
    )
    return {"job": job, "back_url": back, "no_worker": waiting}


@login_required
def generated_file(request, pk: int):
    """A file being made in the background: its progress (polled by htmx)
    while the worker makes it, then the download link."""
    job = generated_file_for_user_or_404(request.user, pk)
    return render(request, "exports/generated_file.html", _job_context(request, job))


@login_required
def generated_file_progress(request, pk: int):
    """The progress box alone, for htmx polling; once the file is ready it
    comes back with the download link and stops polling."""
    job = generated_file_for_user_or_404(request.user, pk)
    return render(request, "exports/_progress.html", _job_context(request, job))


@login_required
def generated_file_download(request, pk: int):
    job = generated_file_for_user_or_404(request.user, pk)
    if job.status != GeneratedFile.Status.DONE or not job.file:
        raise Http404(_("Tệp này chưa tạo xong."))
    if job.expires_at and job.expires_at <= timezone.now():
        raise Http404(_("Tệp này đã hết hạn lưu; hãy tạo lại."))
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Tệp này không còn trên máy chủ; hãy tạo lại.")) from exc
    response = FileResponse(handle, as_attachment=True, filename=job.file_name)
    response["Content-Type"] = job.content_type or "application/octet-stream"
    return response


@login_required
def generated_files(request):
    """The files this user asked for recently, to find one again."""
    jobs = GeneratedFile.objects.filter(requested_by=request.user).order_by("-created_at")[:30]
    return render(request, "exports/generated_files.html", {"jobs": jobs})
