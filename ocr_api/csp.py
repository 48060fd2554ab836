"""One way to give a page its Content-Security-Policy: `@content_security_policy(...)` on the view
class (Django's or DRF's alike), set on every response it sends."""

import functools

from django.utils.decorators import method_decorator


def content_security_policy(*directives: str):
    policy = "; ".join(directives)

    def decorate(view):
        @functools.wraps(view)
        def with_policy(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response["Content-Security-Policy"] = policy
            return response

        return with_policy

    return method_decorator(decorate, name="dispatch")
