import os


def application(environ, start_response):
    body = (f"hello from gunicorn worker uid {os.getuid()} "
            f"pid {os.getpid()} master {os.getppid()}\n").encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
