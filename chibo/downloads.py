"""Answering a request for a file (chibo.exports): made inside the request
when it is small, else handed to the background worker, the browser sent to
the job's page (progress, then the download link).

    return export_response(request, "members.roster", params, "xlsx")

The same view serves both, so a ward's roster and the province's come from
the same code and cannot disagree.
"""

from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from chibo.exports import (
    Output,
    Progress,
    background_threshold,
    canonical,
    chunks,
    fingerprint,
    get_kind,
    reusable,
)
from chibo.models import GeneratedFile
from chibo.tasks import generated_file_build


def generated_file_request(
    *,
    actor,
    kind: str,
    params: dict,
    fmt: str,
    back_url: str = "",
    total: int | None = None,
    scope: str | None = None,
) -> GeneratedFile:
    """The job that makes this file: one already made and still valid (same
    parameters, same scope, data unchanged), one being made, or a new one,
    queued for the worker. Raises Http404 when `actor` may not have it.

    Not written to the audit trail: the audit trail is what tells that the
    data changed (chibo.exports.data_version), and asking for a file changes
    none; the job itself keeps who asked for what, and when. `total` and
    `scope`, when the caller has them, save computing them again."""
    the_kind = get_kind(kind)
    if fmt not in the_kind.formats:
        raise Http404(_("Không có định dạng này."))
    params = canonical(params)
    scope = scope if scope is not None else the_kind.scope(actor, params)
    fp = fingerprint(the_kind, params, fmt, scope)
    job, lost = reusable(fp)
    if job is not None:
        return job
    if lost:  # a job of a dead worker would block its fingerprint: it failed
        GeneratedFile.objects.filter(pk__in=lost).update(
            status=GeneratedFile.Status.FAILED,
            message=_("Quá lâu chưa xong (tiến trình nền đã dừng?). Đã yêu cầu lại."),
        )
    try:
        with transaction.atomic():
            job = GeneratedFile.objects.create(
                kind=kind,
                params=params,
                format=fmt,
                title=str(the_kind.title(params))[:255],
                scope=scope,
                fingerprint=fp,
                requested_by=actor if getattr(actor, "pk", None) else None,
                total=total if total is not None else the_kind.estimate(actor, params, fmt),
                back_url=back_url[:1000],
            )
    except IntegrityError:
        # the same file was asked for at the same moment: share that job
        job, _lost = reusable(fp)
        if job is None:
            raise
        return job
    generated_file_build.enqueue(job.pk)
    return job


def file_response(output: Output, *, inline: bool = False):
    """The file as a download; a streamed one (a roster's rows) stays streamed."""
    disposition = "inline" if inline else "attachment"
    if isinstance(output.content, bytes | bytearray):
        response = HttpResponse(output.content, content_type=output.content_type)
    else:
        response = StreamingHttpResponse(chunks(output.content), content_type=output.content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{output.file_name}"'
    return response


def _page_of(request) -> str:
    """The page the file was asked from: this address without ?format=."""
    query = request.GET.copy()
    query.pop("format", None)
    return request.path + (f"?{query.urlencode()}" if query else "")


def export_response(
    request, kind: str, params: dict, fmt: str, *, inline: bool = False, back_url: str = ""
):
    """The file now if it is small (estimated rows up to
    CHIBO_EXPORT_BACKGROUND_ROWS for the format), else a redirect to the page
    of the background job that makes it (or already made it). `back_url` is
    the page to go back to (by default this address without ?format=)."""
    the_kind = get_kind(kind)
    if fmt not in the_kind.formats:
        raise Http404(_("Không có định dạng này."))
    params = canonical(params)
    scope = the_kind.scope(request.user, params)  # Http404 before any work
    rows = the_kind.estimate(request.user, params, fmt)
    if rows <= background_threshold(fmt):
        return file_response(the_kind.build(request.user, params, fmt, Progress()), inline=inline)
    job = generated_file_request(
        actor=request.user,
        kind=kind,
        params=params,
        fmt=fmt,
        back_url=back_url or _page_of(request),
        total=rows,
        scope=scope,
    )
    return redirect("generated_file", job.pk)
