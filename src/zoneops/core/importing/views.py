from django.shortcuts import render


def start(request, kind=None):
    return render(request, "core/base.html")
