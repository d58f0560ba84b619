"""Which ``Host`` a dev server request may name: this machine's, never another site's (DNS rebinding).

The dev server listens on 127.0.0.1, but a page of another site whose name
was made to point at 127.0.0.1 could still reach it and read the preview;
such a request names that site in its ``Host`` header and is answered 403
(webpack-dev-server and Vite check the same). Apart from :mod:`handler`
because it is the one security rule of the server, and is tested on its own.
"""

from __future__ import annotations

import ipaddress


def allowed_host(header: str | None, names: tuple[str, ...] = ()) -> bool:
    """Whether a request's ``Host`` header names this machine as a browser on it would: an IP address, ``localhost``
    (or a name under it), or one of ``names`` (``serve --host``), with or without a port. A page of another site
    whose name was made to point at 127.0.0.1 (DNS rebinding) sends its own name and is refused. No header at all
    comes from no browser (HTTP/1.0 tools): allowed."""
    if header is None:
        return True
    name = header.strip().lower()
    if name.startswith("["):  # [::1]:8000
        name = name[1 : name.find("]")] if "]" in name else name
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    name = name.rstrip(".")
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    return name == "localhost" or name.endswith(".localhost") or name in {n.lower().rstrip(".") for n in names}


def refusal(header: str | None) -> bytes:
    """The text of the 403 answer to a request for ``header``, saying how to preview under that name."""
    name = (header or "").split(":")[0]
    return f"eccpsite serve answers for localhost only, not for {header!r}: to preview under that name, start it with --host {name}\n".encode()
