"""Focal point report views (to be written)."""

from django.http import HttpResponse


def my_reports(request, *args, **kwargs):
    return HttpResponse(status=501)


def report_start(request, *args, **kwargs):
    return HttpResponse(status=501)


def report_detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def report_cover(request, *args, **kwargs):
    return HttpResponse(status=501)


def report_form(request, *args, **kwargs):
    return HttpResponse(status=501)


def report_settings(request, *args, **kwargs):
    return HttpResponse(status=501)


def report_nil(request, *args, **kwargs):
    return HttpResponse(status=501)


def report_submit(request, *args, **kwargs):
    return HttpResponse(status=501)


def report_recall(request, *args, **kwargs):
    return HttpResponse(status=501)


def report_correct(request, *args, **kwargs):
    return HttpResponse(status=501)


def version_detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def comment_reply(request, *args, **kwargs):
    return HttpResponse(status=501)
