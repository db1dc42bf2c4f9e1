"""A small Prometheus exporter for the service the incident is about.

It serves ``/metrics`` on loopback in the text exposition format: interface
errors on the VPN gateway's uplink climb fast and its probe latency is high,
which is what the agent goes looking for. Values depend only on how many
times the endpoint was scraped, never on the clock.

Run as ``python exporter.py PORT``.
"""

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICE = "vpn-gateway"


class Metrics:
    def __init__(self):
        self.scrapes = 0
        self.lock = threading.Lock()

    def render(self):
        with self.lock:
            self.scrapes += 1
            count = self.scrapes
        lines = [
            "# HELP interface_errors_total Frames dropped with errors.",
            "# TYPE interface_errors_total counter",
            f'interface_errors_total{{service="{SERVICE}",interface="uplink0"}} '
            f"{count * 37}",
            f'interface_errors_total{{service="{SERVICE}",interface="lan0"}} '
            f"{count // 10}",
            "# HELP probe_latency_seconds Round trip of the health probe.",
            "# TYPE probe_latency_seconds gauge",
            f'probe_latency_seconds{{service="{SERVICE}"}} '
            f"{0.8 + (count % 5) * 0.05:.2f}",
            f'probe_latency_seconds{{service="directory"}} {0.02:.2f}',
        ]
        return ("\n".join(lines) + "\n").encode()


class Handler(BaseHTTPRequestHandler):
    metrics = Metrics()

    def do_GET(self):
        if self.path != "/metrics":
            self.send_error(404)
            return
        body = self.metrics.render()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def main(port):
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]))
