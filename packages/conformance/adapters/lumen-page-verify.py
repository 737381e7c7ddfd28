# Lumen's documented receiver check, the page's Python verify() as printed, behind a minimal
# http.server that processes every delivery verify() accepts. Run as a conformance receiver:
# imagegen-conformance --vendor lumen --receiver "python3 adapters/lumen-page-verify.py"
# Added around the page's function: the server, reading IMAGEGEN_WEBHOOK_SECRET, and appending the
# task id to IMAGEGEN_OUTPUT. The page stops at verify(): no timestamp check, no duplicate check.
import hmac, hashlib
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer


def verify(raw_body: bytes, signature_header: str, secret: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature_header)


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not verify(raw, self.headers.get("X-Lumen-Signature", ""), os.environ["IMAGEGEN_WEBHOOK_SECRET"]):
            self.send_response(401)
            self.end_headers()
            return
        task = json.loads(raw)
        with open(os.environ["IMAGEGEN_OUTPUT"], "a") as out:
            out.write(f"{task['id']} {task['status']}\n")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Receiver)
print(f"IMAGEGEN_WEBHOOK_URL=http://127.0.0.1:{server.server_address[1]}/lumen-webhook", flush=True)
server.serve_forever()
