#!/usr/bin/python3
"""An HTTP server that serves the listening socket it was given at fd 3
(sd_listen_fds protocol) instead of binding one itself."""
import http.server
import os
import socket


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"served by pid {os.getpid()} (LISTEN_PID={os.environ.get('LISTEN_PID')})\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


assert os.environ.get("LISTEN_PID") == str(os.getpid()) and os.environ.get("LISTEN_FDS") == "1"
server = http.server.HTTPServer(("", 0), Hello, bind_and_activate=False)
server.socket = socket.socket(fileno=3)
server.serve_forever()
