"""ISU review views (to be written)."""

from django.http import HttpResponse


def review_queue(request, *args, **kwargs):
    return HttpResponse(status=501)


def review_detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def review_start(request, *args, **kwargs):
    return HttpResponse(status=501)


def review_request_changes(request, *args, **kwargs):
    return HttpResponse(status=501)


def review_accept(request, *args, **kwargs):
    return HttpResponse(status=501)


def review_publish(request, *args, **kwargs):
    return HttpResponse(status=501)


def comment_add(request, *args, **kwargs):
    return HttpResponse(status=501)


def comment_resolve(request, *args, **kwargs):
    return HttpResponse(status=501)
